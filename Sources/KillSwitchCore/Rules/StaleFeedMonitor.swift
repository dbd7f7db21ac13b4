/// The `stale-feed` rule for one feed (`FeedName`), on the daemon's monotonic clock like `HeartbeatMonitor`
/// (`ContinuousClock.Instant` in the daemon, `ManualClock.Instant` in tests).
///
/// - The feed's age is the time since its newest data was current: a heartbeat when it was received, a PnL mark
///   at its own time (the caller maps it onto this clock). Data older than what is held changes nothing.
/// - Nothing heard since arming (daemon start without stored data, a reload, a re-arm): the feed is as old as
///   the time since arming — a feed that never speaks goes stale `maxAge` after arming. There is no grace:
///   `maxAge` is the allowance.
/// - Fires at `deadline` = (newest data, else the arming instant) + `maxAge` — exactly at it, not a nanosecond
///   before. The engine sets one timer for the deadline; new data moves it later, data restored or received with
///   an old time can move it earlier (the engine re-sets the timer then).
public struct StaleFeedMonitor<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public let ruleId: String
    public let feed: FeedName
    public let maxAge: Duration
    public private(set) var armedAt: Instant
    /// When the newest data received since arming was current.
    public private(set) var newest: Instant?

    public init(ruleId: String, feed: FeedName, maxAge: Duration, armedAt: Instant) {
        self.ruleId = ruleId
        self.feed = feed
        self.maxAge = maxAge
        self.armedAt = armedAt
    }

    /// A monitor for a `stale-feed` rule; nil for other rule kinds.
    public init?(rule: RuleDefinition, armedAt: Instant) {
        guard case let .staleFeed(feed, maxAge) = rule.kind else { return nil }
        self.init(ruleId: rule.id, feed: feed, maxAge: maxAge, armedAt: armedAt)
    }

    /// When the rule fires unless newer data arrives first.
    public var deadline: Instant { (newest ?? armedAt).advanced(by: maxAge) }

    /// Data that was current at `instant`. Returns true when it moved the deadline earlier (the caller's
    /// timer, set for the old deadline, would wake too late).
    @discardableResult
    public mutating func record(currentAt instant: Instant) -> Bool {
        let before = deadline
        if newest.map({ instant > $0 }) ?? true { newest = instant }
        return deadline < before
    }

    /// Re-arms (after a trip is re-armed): the feed is judged from `instant` on, as if nothing had been heard.
    public mutating func rearm(at instant: Instant) {
        armedAt = instant
        newest = nil
    }

    public func isExpired(at instant: Instant) -> Bool {
        instant >= deadline
    }

    public func evaluate(at instant: Instant) -> RuleEvaluation {
        let fired = isExpired(at: instant)
        let age = max(.zero, (newest ?? armedAt).duration(to: instant))
        let value = durationText(age)
        let threshold = durationText(maxAge)
        let reason: String
        if newest == nil {
            reason = fired
                ? "nothing from \(feed) for \(value) since arming (max age \(threshold)) (\(ruleId))"
                : "waiting for \(feed): nothing for \(value) since arming (max age \(threshold)) (\(ruleId))"
        } else {
            reason = fired
                ? "\(feed) is stale: newest data \(value) old (max age \(threshold)) (\(ruleId))"
                : "\(feed) newest data \(value) old (max age \(threshold)) (\(ruleId))"
        }
        return RuleEvaluation(ruleId: ruleId, fired: fired, value: value, threshold: threshold, reason: reason,
                              measures: [RuleMeasure(name: "feed_age_seconds", value: age.seconds, threshold: maxAge.seconds)])
    }
}
