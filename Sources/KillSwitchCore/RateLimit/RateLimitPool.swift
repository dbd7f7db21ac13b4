import Foundation
import NIOCore

/// Who is asking for budget. Countdown refreshes (the venue's dead-man switch) are served first and have a
/// reserved slice of the pool (`RateLimitPool.setRefreshReserve`); cancels are served before background
/// traffic (clock sync, keep-warm, armed checks), and background traffic never takes budget while a cancel
/// taker waits or while the bucket is reserved for a running incident.
public enum RatePriority: Int, Sendable, Hashable, Comparable, CaseIterable {
    /// A countdown cancel-all refresh: if it starves, the venue cancels every order it reaches.
    case refresh = -1
    case cancel = 0
    case background = 1

    public static func < (lhs: RatePriority, rhs: RatePriority) -> Bool { lhs.rawValue < rhs.rawValue }
}

public enum RateLimitError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The request costs more than the bucket can ever hold (after the safety margin).
    case costExceedsCapacity(bucket: String, cost: Int, capacity: Int)

    public var description: String {
        switch self {
        case let .costExceedsCapacity(bucket, cost, capacity):
            "rate limit \(bucket): cost \(cost) exceeds the usable capacity \(capacity)"
        }
    }
}

/// One venue rate limit, counted the way venues count: never more than `count` (cost-weighted) requests in
/// any window of `window + jitterAllowance`. A log of what was granted in the last such window decides; a
/// token bucket, which starts full and refills continuously, lets almost twice the count through in the first
/// window, and venues refuse that.
///
/// - The window is widened by `jitterAllowance`: requests that leave evenly can arrive bunched (network
///   jitter), and the venue counts arrivals. With an allowance of J, arrivals stay within the published count
///   in any window of W as long as the jitter stays under J.
/// - Safety margin `m` (0 ≤ m < 1): the pool behaves as if the venue published `⌊count × (1 − m)⌋`
///   (at least 1).
/// - Takers queue FIFO within a priority; `.refresh` is served before `.cancel`, `.cancel` before
///   `.background`. Only the queue's head can take (no barging: a cheap request never overtakes an expensive
///   one that arrived first). Background takers get nothing while `reserveForIncidents` is set.
/// - A refresh reserve of R (`setRefreshReserve`): the part of R that refreshes have not used in the current
///   window is held back from every other taker, so a pool an incident keeps full still has R per window for
///   the countdown refreshes (which may also use any free budget beyond R). Never more than leaves a taker's
///   cost room in an empty window: a reserve can slow the others, never block them for good.
/// - A grant taken `untilSettled` stays in the window until the request is settled (its answer came, or it
///   failed), and from then for a whole window: the venue counts the request when it *arrives*, which is
///   after it was granted (a connection to open, a busy event loop) and before its answer. Counting from the
///   answer makes the limit hold however late a request leaves.
/// - Waiting is one clock sleep per pool: a single timer is set for the instant the head fits (the oldest
///   grants it needs gone leave the window) or a penalty ends; when it fires the pool grants every waiter
///   that fits, in queue order, and sets the next timer. No polling.
/// - `penalize(retryAfter:)` (a 429 / throttle answer): holds every taker until the retry-after; without
///   one, the venue's window is taken as full from now (nothing more for one whole window).
/// - `reconcile(remaining:)` / `reconcile(used:)`: the venue's usage headers; what the venue counts beyond
///   our own grants (another process on the same account, a bot on the same IP) is added to the log.
public final class RateLimitPool: @unchecked Sendable, CustomStringConvertible {
    /// What a taker was given: its place in the grant order and how long it waited.
    public struct Grant: Sendable, Hashable {
        /// 1, 2, 3, … in the order the bucket granted (0 for a zero-cost request).
        public var sequence: UInt64
        public var waited: Duration
    }

    public let name: String
    let timeline: Timeline
    private let lock = NSLock()
    private var s: State

    /// - Parameters:
    ///   - capacity: the venue's published count (or weight) per window (> 0).
    ///   - window: the venue's window (> 0).
    ///   - jitterAllowance: added to the window when spacing requests (≥ 0).
    ///   - safetyMargin: fraction of the capacity held back (0 against the simulator).
    ///   - clock: the clock every wait runs on.
    public init(name: String, capacity: Int, window: Duration, jitterAllowance: Duration = .zero, safetyMargin: Double = 0, clock: any Clock<Duration>) {
        precondition(safetyMargin >= 0 && safetyMargin < 1, "safety margin must be in [0, 1)")
        precondition(jitterAllowance >= .zero, "jitter allowance must not be negative")
        self.name = name
        timeline = Timeline(clock)
        s = State(published: capacity, window: window.nanoseconds, jitter: jitterAllowance.nanoseconds, margin: safetyMargin)
    }

    // MARK: - Figures for health and tests

    /// The venue's published count per window.
    public var capacity: Int { locked { $0.published } }
    /// The count the bucket actually grants per window, after the safety margin.
    public var usableCapacity: Int { locked { $0.count } }
    public var window: Duration { locked { .nanoseconds($0.window) } }
    /// The window requests are spaced over: the venue's plus the jitter allowance.
    public var spacingWindow: Duration { locked { .nanoseconds($0.span) } }
    public var safetyMargin: Double { locked { $0.margin } }
    /// The sustained rate this pool grants, per second (usable count per spacing window).
    public var refillPerSecond: Double { locked { Double($0.count) * 1e9 / Double($0.span) } }

    /// What may be granted now without waiting (usable count minus what the window already holds).
    public var level: Double {
        let now = timeline.now()
        return locked { s in
            s.prune(now)
            return Double(max(0, s.count - s.used - s.held(forCost: 1)))
        }
    }

    /// Takers waiting now.
    public var waitingCount: Int { locked { $0.queue.count } }

    /// Whether a penalty hold is in force now.
    public var isPenalized: Bool {
        let now = timeline.now()
        return locked { now < $0.holdUntil }
    }

    /// While set, background takers get nothing (an incident is running).
    public var reserveForIncidents: Bool {
        get { locked { $0.reserve } }
        set { setReserveForIncidents(newValue) }
    }

    public var description: String {
        let (count, window) = locked { ($0.count, $0.window) }
        return "\(name) \(count)/\(DurationText.format(.nanoseconds(window)))"
    }

    // MARK: - Taking

    /// Ends an in-flight grant (`untilSettled`): from now it stays in the window for one spacing window.
    public func settle(_ sequence: UInt64) {
        let now = timeline.now()
        let effects = locked { s -> Effects in
            guard let grant = s.inFlight.removeValue(forKey: sequence) else { return Effects() }
            s.log.append((now, grant.cost, grant.refresh))
            return drainAndSchedule(&s, now: now)
        }
        effects.run(timeline: timeline)
    }

    /// Grants taken `untilSettled` and not settled yet.
    public var inFlightCount: Int { locked { $0.inFlight.count } }

    /// Takes `cost` tokens without waiting, if this taker would be served at once.
    public func tryAcquire(cost: Int = 1, priority: RatePriority = .cancel) -> Bool {
        precondition(cost >= 0, "cost must not be negative")
        if cost == 0 { return true }
        let now = timeline.now()
        return locked { s in
            s.prune(now)
            guard s.canServeAtOnce(cost: cost, priority: priority, now: now) else { return false }
            s.take(cost, at: now, refresh: priority == .refresh)
            return true
        }
    }

    /// Waits exactly as long as the bucket needs to serve this taker, then takes `cost` tokens.
    /// Throws `CancellationError` when the task is cancelled while waiting (nothing is taken), and
    /// `RateLimitError.costExceedsCapacity` when the cost can never be served.
    @discardableResult
    public func acquire(cost: Int = 1, priority: RatePriority = .cancel, untilSettled: Bool = false) async throws -> Grant {
        precondition(cost >= 0, "cost must not be negative")
        if cost == 0 { return Grant(sequence: 0, waited: .zero) }
        let arrival = timeline.now()
        enum Start { case granted(Grant), tooLarge(Int), wait(UInt64) }
        let start = locked { s -> Start in
            s.prune(arrival)
            if cost > s.count { return .tooLarge(s.count) }
            if s.canServeAtOnce(cost: cost, priority: priority, now: arrival) {
                s.take(cost, at: arrival, untilSettled: untilSettled, refresh: priority == .refresh)
                return .granted(Grant(sequence: s.grants, waited: .zero))
            }
            s.nextId += 1
            return .wait(s.nextId)
        }
        let id: UInt64
        switch start {
        case .granted(let grant): return grant
        case .tooLarge(let count): throw RateLimitError.costExceedsCapacity(bucket: name, cost: cost, capacity: count)
        case .wait(let waiterId): id = waiterId
        }
        defer { locked { s in _ = s.cancelledEarly.remove(id) } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                let now = timeline.now()
                let effects = locked { s -> Effects in
                    if s.cancelledEarly.remove(id) != nil {
                        return Effects(failures: [(continuation, CancellationError())])
                    }
                    s.enqueue(Waiter(id: id, cost: cost, priority: priority, arrival: arrival, untilSettled: untilSettled, continuation: continuation))
                    var effects = drainAndSchedule(&s, now: now)
                    effects.counted = s.readyCountWaiters()
                    return effects
                }
                effects.run(timeline: timeline)
            }
        } onCancel: {
            let now = timeline.now()
            let effects = locked { s -> Effects in
                guard let index = s.queue.firstIndex(where: { $0.id == id }) else {
                    s.cancelledEarly.insert(id)
                    return Effects()
                }
                let waiter = s.queue.remove(at: index)
                var effects = drainAndSchedule(&s, now: now)
                effects.failures.append((waiter.continuation, CancellationError()))
                return effects
            }
            effects.run(timeline: timeline)
        }
    }

    // MARK: - Venue feedback and live figures

    /// A 429 or throttle answer: holds every taker until `retryAfter` has passed; without one, the venue's
    /// window is taken as full from now (nothing more is granted for one whole spacing window).
    public func penalize(retryAfter: Duration?, cost: Int = 1) {
        let now = timeline.now()
        let effects = locked { s -> Effects in
            s.prune(now)
            if let retryAfter {
                s.holdUntil = max(s.holdUntil, now.addingSaturating(max(0, retryAfter.nanoseconds)))
            } else {
                s.count(beyondGrants: s.count - s.used, at: now)
            }
            return drainAndSchedule(&s, now: now)
        }
        effects.run(timeline: timeline)
    }

    /// The venue's usage header says only `remaining` are left in its window: what it counts beyond our own
    /// grants is added to the window (never removed: the venue may count more than it says).
    public func reconcile(remaining: Int) {
        let now = timeline.now()
        locked { s in
            s.prune(now)
            s.count(beyondGrants: (s.published - max(0, remaining)) - s.used, at: now)
        }
    }

    /// The venue's usage header says `used` (e.g. Binance `X-MBX-USED-WEIGHT-1M`) is spent in its window:
    /// weight spent by others on the same account or IP counts against us too.
    public func reconcile(used: Int) {
        let now = timeline.now()
        locked { s in
            s.prune(now)
            s.count(beyondGrants: used - s.used, at: now)
        }
    }

    /// Replaces the published figures (e.g. Binance's `exchangeInfo`). What the window holds is kept;
    /// waiters whose cost no longer fits fail with `costExceedsCapacity`.
    public func setLimits(capacity: Int, window: Duration) {
        precondition(capacity > 0 && window > .zero, "capacity and window must be positive")
        let now = timeline.now()
        let effects = locked { s -> Effects in
            s.configure(published: capacity, window: window.nanoseconds, jitter: s.jitter, margin: s.margin)
            s.prune(now)
            var effects = Effects()
            s.queue.removeAll { waiter in
                guard waiter.cost > s.count else { return false }
                effects.failures.append((waiter.continuation, RateLimitError.costExceedsCapacity(bucket: name, cost: waiter.cost, capacity: s.count)))
                return true
            }
            let drained = drainAndSchedule(&s, now: now)
            effects.merge(drained)
            return effects
        }
        effects.run(timeline: timeline)
    }

    public func setReserveForIncidents(_ reserve: Bool) {
        let now = timeline.now()
        let effects = locked { s -> Effects in
            s.reserve = reserve
            var effects = drainAndSchedule(&s, now: now)
            if !reserve {
                effects.released = Array(s.reserveWaiters.values)
                s.reserveWaiters.removeAll()
            }
            return effects
        }
        effects.run(timeline: timeline)
    }

    /// Reserves `cost` per window for `.refresh` takers (countdown refreshes): see the type's notes. 0 lifts it.
    public func setRefreshReserve(_ cost: Int) {
        precondition(cost >= 0, "a reserve must not be negative")
        let now = timeline.now()
        let effects = locked { s -> Effects in
            s.refreshReserve = cost
            return drainAndSchedule(&s, now: now)
        }
        effects.run(timeline: timeline)
    }

    /// The cost per window held for countdown refreshes.
    public var refreshReserve: Int { locked { $0.refreshReserve } }

    /// Suspends until at least `count` takers are queued (for tests and the fan-out's own bookkeeping).
    public func waitForWaiters(count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = locked { s -> Bool in
                if s.queue.count >= count { return true }
                s.countWaiters.append((count, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    // MARK: - Linked acquisition support (all locks held by LinkedPools)

    enum LinkedCheck {
        case grantable
        /// Not before this many nanoseconds from now.
        case wait(Int64)
        case blockedByReserve
        case tooLarge(Int)
    }

    func lockForLinked() { lock.lock() }
    func unlockForLinked() { lock.unlock() }

    /// With the lock held: serves the queue, then says whether `cost` could be taken now by a linked taker
    /// that is not queued here (it never overtakes a queued taker of its priority or better).
    func linkedCheck(cost: Int, priority: RatePriority, effects: inout Effects) -> LinkedCheck {
        let now = timeline.now()
        effects.merge(drainAndSchedule(&s, now: now))
        if cost > s.count { return .tooLarge(s.count) }
        if priority == .background && s.reserve { return .blockedByReserve }
        if s.canServeAtOnce(cost: cost, priority: priority, now: now) { return .grantable }
        let ahead = s.queue.filter { $0.priority <= priority }.reduce(0) { $0 + $1.cost }
        // Waiting on grants still in flight: look again after a window (a settle may come sooner).
        let ready = max(s.readyAt(cost: ahead + cost, priority: priority, now: now) ?? now.addingSaturating(s.span), s.holdUntil)
        return .wait(max(1, ready - now))
    }

    /// With the lock held: takes `cost` (after `linkedCheck` said `.grantable`).
    func linkedTake(cost: Int, priority: RatePriority, untilSettled: Bool) -> UInt64 {
        s.take(cost, at: timeline.now(), untilSettled: untilSettled, refresh: priority == .refresh)
        return s.grants
    }

    /// Suspends until the reserve flag is cleared (linked background takers).
    func waitForReserveRelease() async throws {
        let id = locked { s -> UInt64 in
            s.nextId += 1
            return s.nextId
        }
        defer { locked { s in _ = s.cancelledEarly.remove(id) } }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Action { case resume, fail, wait }
                let action = locked { s -> Action in
                    if s.cancelledEarly.remove(id) != nil { return .fail }
                    if !s.reserve { return .resume }
                    s.reserveWaiters[id] = continuation
                    return .wait
                }
                switch action {
                case .resume: continuation.resume()
                case .fail: continuation.resume(throwing: CancellationError())
                case .wait: break
                }
            }
        } onCancel: {
            let continuation = locked { s -> CheckedContinuation<Void, any Error>? in
                if let c = s.reserveWaiters.removeValue(forKey: id) { return c }
                s.cancelledEarly.insert(id)
                return nil
            }
            continuation?.resume(throwing: CancellationError())
        }
    }

    // MARK: - Internals

    private func locked<R>(_ body: (inout State) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&s)
    }

    struct Waiter {
        var id: UInt64
        var cost: Int
        var priority: RatePriority
        var arrival: Int64
        var untilSettled: Bool
        var continuation: CheckedContinuation<Grant, any Error>
    }

    /// What to do once the lock is released.
    struct Effects {
        var grants: [(CheckedContinuation<Grant, any Error>, Grant)] = []
        var failures: [(CheckedContinuation<Grant, any Error>, any Error)] = []
        var counted: [CheckedContinuation<Void, Never>] = []
        var released: [CheckedContinuation<Void, any Error>] = []

        mutating func merge(_ other: Effects) {
            grants += other.grants
            failures += other.failures
            counted += other.counted
            released += other.released
        }

        func run(timeline: Timeline) {
            for (continuation, grant) in grants { continuation.resume(returning: grant) }
            for (continuation, error) in failures { continuation.resume(throwing: error) }
            for continuation in counted { continuation.resume() }
            for continuation in released { continuation.resume() }
        }
    }

    struct State {
        var published = 0
        /// The venue's window, ns.
        var window: Int64 = 1
        /// The jitter allowance, ns.
        var jitter: Int64 = 0
        var margin = 0.0
        /// Usable count per window (after the margin).
        var count = 1
        /// What was granted (or the venue counted beyond our grants) within the last spacing window, oldest
        /// first, and its total cost; `refresh`: granted to a countdown refresh.
        var log = CircularBuffer<(at: Int64, cost: Int, refresh: Bool)>()
        /// Grants still in flight (sequence → cost): in the window whatever their age.
        var inFlight: [UInt64: (cost: Int, refresh: Bool)] = [:]
        /// Total cost in the window: the log and what is in flight.
        var used = 0
        /// The part of `used` granted to countdown refreshes.
        var refreshUsed = 0
        /// Cost per window reserved for countdown refreshes.
        var refreshReserve = 0
        var holdUntil: Int64 = .min
        var reserve = false
        var queue: [Waiter] = []
        var cancelledEarly: Set<UInt64> = []
        var nextId: UInt64 = 0
        var grants: UInt64 = 0
        var timer: (deadline: Int64, generation: UInt64, task: Task<Void, Never>)?
        var timerGeneration: UInt64 = 0
        var countWaiters: [(Int, CheckedContinuation<Void, Never>)] = []
        var reserveWaiters: [UInt64: CheckedContinuation<Void, any Error>] = [:]

        init(published: Int, window: Int64, jitter: Int64, margin: Double) {
            configure(published: published, window: window, jitter: jitter, margin: margin)
        }

        /// The window requests are spaced over.
        var span: Int64 { window.addingSaturating(jitter) }

        mutating func configure(published: Int, window: Int64, jitter: Int64, margin: Double) {
            precondition(published > 0 && window > 0, "capacity and window must be positive")
            self.published = published
            self.window = window
            self.jitter = jitter
            self.margin = margin
            count = max(1, Int((Double(published) * (1 - margin) + 1e-9).rounded(.down)))
        }

        /// Drops what has left the window `(now − span, now]`.
        mutating func prune(_ now: Int64) {
            while let first = log.first, first.at.addingSaturating(span) <= now {
                used -= first.cost
                if first.refresh { refreshUsed -= first.cost }
                log.removeFirst()
            }
        }

        /// What the refresh reserve holds back from a non-refresh taker of `cost`: the reserve refreshes have not
        /// used this window, but never so much that the taker could not fit in an empty window.
        func held(forCost cost: Int, refreshUsed: Int? = nil) -> Int {
            min(max(0, refreshReserve - (refreshUsed ?? self.refreshUsed)), max(0, count - cost))
        }

        /// Whether `cost` fits in the window now for a taker of `priority` (a refresh may use its reserve).
        func fits(cost: Int, priority: RatePriority) -> Bool {
            priority == .refresh ? used + cost <= count : used + held(forCost: cost) + cost <= count
        }

        func canServeAtOnce(cost: Int, priority: RatePriority, now: Int64) -> Bool {
            if now < holdUntil { return false }
            if priority == .background && reserve { return false }
            if queue.contains(where: { $0.priority <= priority }) { return false }
            return fits(cost: cost, priority: priority)
        }

        mutating func take(_ cost: Int, at now: Int64, untilSettled: Bool = false, refresh: Bool = false) {
            grants += 1
            used += cost
            if refresh { refreshUsed += cost }
            if untilSettled { inFlight[grants] = (cost, refresh) } else { log.append((now, cost, refresh)) }
        }

        /// Counts `cost` the venue sees beyond our grants (usage headers, a throttle), as of now.
        mutating func count(beyondGrants cost: Int, at now: Int64) {
            guard cost > 0 else { return }
            log.append((now, cost, false))
            used += cost
        }

        /// The first instant at which `cost` more fits in the window for a taker of `priority` (the grants it
        /// needs gone have left it); `now` when it fits already; nil when it waits on grants still in flight (a
        /// settle decides). Holds are not considered.
        func readyAt(cost: Int, priority: RatePriority = .cancel, now: Int64) -> Int64? {
            var used = self.used
            var refreshUsed = self.refreshUsed
            func fits() -> Bool {
                priority == .refresh ? used + cost <= count : used + held(forCost: cost, refreshUsed: refreshUsed) + cost <= count
            }
            if fits() { return now }
            for entry in log {
                used -= entry.cost
                if entry.refresh { refreshUsed -= entry.cost }
                if fits() { return entry.at.addingSaturating(span) }
            }
            return nil
        }

        /// FIFO within a priority, better priorities first.
        mutating func enqueue(_ waiter: Waiter) {
            let index = queue.firstIndex { $0.priority > waiter.priority } ?? queue.endIndex
            queue.insert(waiter, at: index)
        }

        mutating func readyCountWaiters() -> [CheckedContinuation<Void, Never>] {
            var ready: [CheckedContinuation<Void, Never>] = []
            countWaiters.removeAll { entry in
                guard queue.count >= entry.0 else { return false }
                ready.append(entry.1)
                return true
            }
            return ready
        }

        /// Grants waiters in queue order while they fit; returns the grants and when the head can next be
        /// served (nil: nothing to wait for on the clock).
        mutating func drain(now: Int64) -> (grants: [(CheckedContinuation<Grant, any Error>, Grant)], nextAt: Int64?) {
            prune(now)
            var granted: [(CheckedContinuation<Grant, any Error>, Grant)] = []
            while let head = queue.first {
                if head.priority == .background && reserve { return (granted, nil) }
                if now >= holdUntil && fits(cost: head.cost, priority: head.priority) {
                    queue.removeFirst()
                    take(head.cost, at: now, untilSettled: head.untilSettled, refresh: head.priority == .refresh)
                    granted.append((head.continuation, Grant(sequence: grants, waited: .nanoseconds(now - head.arrival))))
                    continue
                }
                guard let ready = readyAt(cost: head.cost, priority: head.priority, now: now) else {
                    // Waiting on in-flight grants: a settle drains the queue; a hold still needs its timer.
                    return (granted, holdUntil > now ? holdUntil : nil)
                }
                return (granted, max(ready, holdUntil))
            }
            return (granted, nil)
        }
    }

    /// Serves the queue and keeps exactly one timer for the head's ready instant. Lock held.
    private func drainAndSchedule(_ s: inout State, now: Int64) -> Effects {
        let (grants, nextAt) = s.drain(now: now)
        if let current = s.timer, current.deadline != nextAt {
            current.task.cancel()
            s.timer = nil
        }
        if let nextAt, s.timer == nil {
            s.timerGeneration += 1
            let generation = s.timerGeneration
            let timeline = timeline
            let task = Task { [weak self] in
                do { try await timeline.sleepUntil(nextAt) } catch { return }
                self?.timerFired(generation: generation)
            }
            s.timer = (nextAt, generation, task)
        }
        return Effects(grants: grants)
    }

    private func timerFired(generation: UInt64) {
        let now = timeline.now()
        let effects = locked { s -> Effects in
            guard let timer = s.timer, timer.generation == generation else { return Effects() }
            s.timer = nil
            return drainAndSchedule(&s, now: now)
        }
        effects.run(timeline: timeline)
    }
}

extension Int64 {
    func addingSaturating(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
