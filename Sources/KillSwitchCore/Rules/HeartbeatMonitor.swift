/// The `heartbeat` rule for one source, on the daemon's monotonic clock (any clock's instants:
/// `ContinuousClock.Instant` in the daemon, `ManualClock.Instant` in tests). A timestamp sent by the
/// client is never used: the caller passes the instant the heartbeat was *received*.
///
/// Deadlines:
/// - Armed at `armedAt` (daemon start, or a re-arm) with no heartbeat since: the deadline is
///   `armedAt + grace + timeout` — the grace is the time the source gets to come up, and the timeout
///   countdown runs from its end (the first deadline runs from daemon start plus `grace`). A grace of 0
///   thus means "heartbeat within one timeout of start".
/// - Once a heartbeat has been received since arming, the grace is over: the deadline is
///   `lastHeartbeat + timeout` (even if that is earlier than the grace deadline — a source that has
///   spoken is up and must keep speaking).
/// - Expired at `t` when `t >= deadline` (fires exactly at the deadline, not a nanosecond before).
///   A heartbeat received at or after the deadline does not undo an expiry already acted on — the
///   engine latches the trip; the monitor itself just moves its deadline.
/// - Heartbeats received before the arm instant, or older than the last one, are ignored.
///
/// The executor sets one timer for `deadline` and re-sets it after each heartbeat.
public struct HeartbeatMonitor<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public let ruleId: String
    public let source: String
    public let timeout: Duration
    public let grace: Duration
    public private(set) var armedAt: Instant
    /// The last heartbeat received since arming.
    public private(set) var lastHeartbeat: Instant?

    public init(ruleId: String, source: String, timeout: Duration, grace: Duration, armedAt: Instant) {
        self.ruleId = ruleId
        self.source = source
        self.timeout = timeout
        self.grace = grace
        self.armedAt = armedAt
    }

    /// A monitor for a `heartbeat` rule; nil for other rule kinds.
    public init?(rule: RuleDefinition, armedAt: Instant) {
        guard case let .heartbeat(source, timeout, grace) = rule.kind else { return nil }
        self.init(ruleId: rule.id, source: source, timeout: timeout, grace: grace, armedAt: armedAt)
    }

    /// Whether the source has been heard from since arming (the grace is over).
    public var inGrace: Bool { lastHeartbeat == nil }

    /// When the rule fires unless a heartbeat arrives first.
    public var deadline: Instant {
        if let lastHeartbeat { return lastHeartbeat.advanced(by: timeout) }
        return armedAt.advanced(by: grace + timeout)
    }

    /// Re-arms (after a trip is re-armed): the grace starts again from `instant`.
    public mutating func rearm(at instant: Instant) {
        armedAt = instant
        lastHeartbeat = nil
    }

    /// After a crash: the last heartbeat the previous process stored counts, as if received at `instant`
    /// (now minus its age), with no grace — a crash loop shorter than grace + timeout must still fire.
    public mutating func restore(lastHeartbeat instant: Instant) {
        if instant < armedAt { armedAt = instant }
        lastHeartbeat = instant
    }

    /// Records a heartbeat received at `instant` (the daemon's clock); returns the new deadline.
    @discardableResult
    public mutating func recordHeartbeat(at instant: Instant) -> Instant {
        if instant >= armedAt, lastHeartbeat.map({ instant > $0 }) ?? true {
            lastHeartbeat = instant
        }
        return deadline
    }

    public func isExpired(at instant: Instant) -> Bool {
        instant >= deadline
    }

    public func evaluate(at instant: Instant) -> RuleEvaluation {
        let fired = isExpired(at: instant)
        let since = lastHeartbeat ?? armedAt
        let silence = max(.zero, since.duration(to: instant))
        let allowed = lastHeartbeat == nil ? grace + timeout : timeout
        let value = durationText(silence)
        let threshold = durationText(allowed)
        let reason: String
        if lastHeartbeat == nil {
            reason = fired
                ? "no heartbeat from \(source) for \(value) since arming (grace \(durationText(grace)) + timeout \(durationText(timeout))) (\(ruleId))"
                : "waiting for the first heartbeat from \(source): \(value) of \(threshold) since arming (\(ruleId))"
        } else {
            reason = fired
                ? "no heartbeat from \(source) for \(value) (timeout \(threshold)) (\(ruleId))"
                : "last heartbeat from \(source) \(value) ago (timeout \(threshold)) (\(ruleId))"
        }
        return RuleEvaluation(ruleId: ruleId, fired: fired, value: value, threshold: threshold, reason: reason)
    }
}
