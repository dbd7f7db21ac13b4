import Foundation

/// Who is asking for budget. Cancels are served before background traffic (clock sync, keep-warm, armed
/// checks), and background traffic never takes budget while a cancel taker waits or while the bucket is
/// reserved for a running incident.
public enum RatePriority: Int, Sendable, Hashable, Comparable, CaseIterable {
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

/// A venue rate limit as a token bucket: capacity = the published count, refilled continuously at count
/// per window (the same model the simulator enforces). It starts full.
///
/// - Time is exact integer arithmetic: the level is kept in units of `1 / window-nanoseconds` of a token,
///   so a deficit of `d` units refills in exactly `⌈d / count⌉` ns. No floating point, no drift.
/// - Safety margin `m` (0 ≤ m < 1): the bucket behaves as if the venue published `⌊count × (1 − m)⌋`
///   (at least 1) per window — both the burst and the sustained rate are held back.
/// - Takers queue FIFO within a priority; `.cancel` is served before `.background`. Only the queue's head
///   can take tokens (no barging: a cheap request never overtakes an expensive one that arrived first).
///   Background takers get nothing while `reserveForIncidents` is set.
/// - Waiting is one clock sleep per bucket: a single timer is set for the instant the head's tokens will
///   be there (or a penalty ends); when it fires the bucket grants every waiter that can be served, in
///   queue order, and sets the next timer. No polling.
/// - `penalize(retryAfter:cost:)` (a 429 / throttle answer): empties the bucket and grants nothing before
///   the retry-after (or, when the venue gave none, before `cost` tokens have refilled from empty). The
///   bucket keeps refilling during the hold, as the venue's own window does.
public final class TokenBucket: @unchecked Sendable, CustomStringConvertible {
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
    ///   - capacity: the venue's published count per window (> 0).
    ///   - window: the venue's window (> 0).
    ///   - safetyMargin: fraction of the capacity held back (0 against the simulator).
    ///   - clock: the clock every wait runs on.
    public init(name: String, capacity: Int, window: Duration, safetyMargin: Double = 0, clock: any Clock<Duration>) {
        precondition(safetyMargin >= 0 && safetyMargin < 1, "safety margin must be in [0, 1)")
        self.name = name
        timeline = Timeline(clock)
        s = State(published: capacity, window: window.nanoseconds, margin: safetyMargin, now: timeline.now())
    }

    // MARK: - Figures for health and tests

    /// The venue's published count per window.
    public var capacity: Int { locked { $0.published } }
    /// The count the bucket actually grants per window, after the safety margin.
    public var usableCapacity: Int { locked { $0.count } }
    public var window: Duration { locked { .nanoseconds($0.window) } }
    public var safetyMargin: Double { locked { $0.margin } }
    /// Tokens refilled per second (usable count per window).
    public var refillPerSecond: Double { locked { Double($0.count) * 1e9 / Double($0.window) } }

    /// Tokens available now (fractional while refilling).
    public var level: Double {
        let now = timeline.now()
        return locked { s in
            s.refill(now)
            return Double(s.level) / Double(s.window)
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

    /// Takes `cost` tokens without waiting, if this taker would be served at once.
    public func tryAcquire(cost: Int = 1, priority: RatePriority = .cancel) -> Bool {
        precondition(cost >= 0, "cost must not be negative")
        if cost == 0 { return true }
        let now = timeline.now()
        return locked { s in
            s.refill(now)
            guard s.canServeAtOnce(cost: cost, priority: priority, now: now) else { return false }
            s.take(cost)
            return true
        }
    }

    /// Waits exactly as long as the bucket needs to serve this taker, then takes `cost` tokens.
    /// Throws `CancellationError` when the task is cancelled while waiting (nothing is taken), and
    /// `RateLimitError.costExceedsCapacity` when the cost can never be served.
    @discardableResult
    public func acquire(cost: Int = 1, priority: RatePriority = .cancel) async throws -> Grant {
        precondition(cost >= 0, "cost must not be negative")
        if cost == 0 { return Grant(sequence: 0, waited: .zero) }
        let arrival = timeline.now()
        enum Start { case granted(Grant), tooLarge(Int), wait(UInt64) }
        let start = locked { s -> Start in
            s.refill(arrival)
            if cost > s.count { return .tooLarge(s.count) }
            if s.canServeAtOnce(cost: cost, priority: priority, now: arrival) {
                s.take(cost)
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
                    s.enqueue(Waiter(id: id, cost: cost, priority: priority, arrival: arrival, continuation: continuation))
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

    /// A 429 or throttle answer: empties the bucket and holds every taker until `retryAfter` has passed
    /// (or, without one, until `cost` tokens have refilled from empty). Tokens refill during the hold.
    public func penalize(retryAfter: Duration?, cost: Int = 1) {
        let now = timeline.now()
        let effects = locked { s -> Effects in
            s.refill(now)
            s.level = 0
            let hold: Int64
            if let retryAfter {
                hold = max(0, retryAfter.nanoseconds)
            } else {
                let units = Int64(max(1, min(cost, s.count))) * s.window
                hold = (units + Int64(s.count) - 1) / Int64(s.count)
            }
            s.holdUntil = max(s.holdUntil, now.addingSaturating(hold))
            return drainAndSchedule(&s, now: now)
        }
        effects.run(timeline: timeline)
    }

    /// Lowers the level to what the venue reports as left in its window (usage headers), never raises it.
    public func reconcile(remaining: Int) {
        let now = timeline.now()
        locked { s in
            s.refill(now)
            s.level = min(s.level, Int64(max(0, remaining)) * s.window)
        }
    }

    /// Replaces the published figures (e.g. Binance's `exchangeInfo`). The tokens on hand are kept (capped
    /// to the new capacity); waiters whose cost no longer fits fail with `costExceedsCapacity`.
    public func setLimits(capacity: Int, window: Duration) {
        precondition(capacity > 0 && window > .zero, "capacity and window must be positive")
        let now = timeline.now()
        let effects = locked { s -> Effects in
            s.refill(now)
            let tokens = Double(s.level) / Double(s.window)
            s.configure(published: capacity, window: window.nanoseconds, margin: s.margin)
            s.level = min(s.capacityUnits, Int64((tokens * Double(s.window)).rounded(.down)))
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

    // MARK: - Linked acquisition support (all locks held by LinkedBuckets)

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
        let ahead = s.queue.filter { $0.priority <= priority }.reduce(Int64(0)) { $0 + Int64($1.cost) * s.window }
        let need = ahead + Int64(cost) * s.window - s.level
        let byRefill = need <= 0 ? now : now.addingSaturating((need + Int64(s.count) - 1) / Int64(s.count))
        let ready = max(byRefill, s.holdUntil)
        return .wait(max(1, ready - now))
    }

    /// With the lock held: takes `cost` (after `linkedCheck` said `.grantable`).
    func linkedTake(cost: Int) -> UInt64 {
        s.take(cost)
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
        var window: Int64 = 1
        var margin = 0.0
        /// Usable count per window (after the margin).
        var count = 1
        /// Tokens × window-ns.
        var level: Int64 = 0
        var updatedAt: Int64
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

        init(published: Int, window: Int64, margin: Double, now: Int64) {
            updatedAt = now
            configure(published: published, window: window, margin: margin)
            level = capacityUnits
        }

        var capacityUnits: Int64 { Int64(count) * window }

        mutating func configure(published: Int, window: Int64, margin: Double) {
            precondition(published > 0 && window > 0, "capacity and window must be positive")
            let usable = max(1, Int((Double(published) * (1 - margin) + 1e-9).rounded(.down)))
            precondition(Int64(usable).multipliedReportingOverflow(by: window).overflow == false
                && Int64(usable) * window <= Int64.max / 4, "capacity × window too large")
            self.published = published
            self.window = window
            self.margin = margin
            count = usable
        }

        mutating func refill(_ now: Int64) {
            guard now > updatedAt else { return }
            let elapsed = now - updatedAt
            updatedAt = now
            let cap = capacityUnits
            if level >= cap || elapsed >= window {
                level = cap
                return
            }
            level = min(cap, level + Int64(count) * elapsed)
        }

        func canServeAtOnce(cost: Int, priority: RatePriority, now: Int64) -> Bool {
            if now < holdUntil { return false }
            if priority == .background && reserve { return false }
            if queue.contains(where: { $0.priority <= priority }) { return false }
            return level >= Int64(cost) * window
        }

        mutating func take(_ cost: Int) {
            level -= Int64(cost) * window
            grants += 1
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

        /// Grants waiters in queue order while they can be served; returns the grants and when the head
        /// can next be served (nil: nothing to wait for on the clock).
        mutating func drain(now: Int64) -> (grants: [(CheckedContinuation<Grant, any Error>, Grant)], nextAt: Int64?) {
            refill(now)
            var granted: [(CheckedContinuation<Grant, any Error>, Grant)] = []
            while let head = queue.first {
                if head.priority == .background && reserve { return (granted, nil) }
                let need = Int64(head.cost) * window
                if now >= holdUntil && level >= need {
                    queue.removeFirst()
                    take(head.cost)
                    granted.append((head.continuation, Grant(sequence: grants, waited: .nanoseconds(now - head.arrival))))
                    continue
                }
                let deficit = need - level
                let byRefill = deficit <= 0 ? now : now.addingSaturating((deficit + Int64(count) - 1) / Int64(count))
                return (granted, max(byRefill, holdUntil))
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
