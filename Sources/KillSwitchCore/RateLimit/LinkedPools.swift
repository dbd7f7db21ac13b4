/// What one request draws: a cost from each of several buckets (e.g. an endpoint bucket and an account-
/// or IP-wide one). An empty plan is unlimited (public time endpoints).
public struct RateLimitPlan: Sendable, CustomStringConvertible {
    public struct Draw: Sendable {
        public var bucket: RateLimitPool
        public var cost: Int

        public init(bucket: RateLimitPool, cost: Int) {
            self.bucket = bucket
            self.cost = cost
        }
    }

    public var draws: [Draw]

    public init(_ draws: [Draw]) {
        // One draw per bucket: costs on the same bucket add up.
        var merged: [Draw] = []
        for draw in draws where draw.cost > 0 {
            if let index = merged.firstIndex(where: { $0.bucket === draw.bucket }) {
                merged[index].cost += draw.cost
            } else {
                merged.append(draw)
            }
        }
        self.draws = merged
    }

    public static let unlimited = RateLimitPlan([])

    public var isUnlimited: Bool { draws.isEmpty }

    public var description: String {
        isUnlimited ? "unlimited" : draws.map { "\($0.bucket.name)×\($0.cost)" }.joined(separator: " + ")
    }
}

/// All-or-nothing acquisition across several buckets.
///
/// A one-bucket plan simply queues on that bucket (FIFO, priorities, one timer). For several buckets,
/// every bucket is locked in a fixed order (by object identity — no deadlock), each is asked whether
/// this taker could be served now; if all can, all costs are taken at once; otherwise nothing is taken,
/// the taker sleeps once for the longest of the waits the buckets computed, and tries again. No tokens are
/// ever held in one pool while waiting on another. Linked takers never overtake takers queued on a bucket
/// at their priority or better; among themselves they are served in the order their sleeps end.
public enum LinkedPools {
    @discardableResult
    public static func acquire(_ plan: RateLimitPlan, priority: RatePriority = .cancel) async throws -> Duration {
        try await acquire(plan, priority: priority, untilSettled: false).waited
    }

    /// Acquires the plan's budget; with `untilSettled`, each grant stays in its pool's window until the
    /// ticket is settled.
    public static func acquire(_ plan: RateLimitPlan, priority: RatePriority, untilSettled: Bool) async throws -> (waited: Duration, ticket: RateLimitTicket) {
        switch plan.draws.count {
        case 0:
            return (.zero, RateLimitTicket(grants: []))
        case 1:
            let grant = try await plan.draws[0].bucket.acquire(cost: plan.draws[0].cost, priority: priority, untilSettled: untilSettled)
            return (grant.waited, RateLimitTicket(grants: untilSettled ? [(plan.draws[0].bucket, grant.sequence)] : []))
        default:
            break
        }
        // Lock order: object identity.
        let draws = plan.draws.sorted { ObjectIdentifier($0.bucket) < ObjectIdentifier($1.bucket) }
        let timeline = draws[0].bucket.timeline
        let start = timeline.now()
        while true {
            try Task.checkCancellation()
            enum Step { case done, sleep(Int64), reserve(RateLimitPool), tooLarge(RateLimitError) }
            var effects = RateLimitPool.Effects()
            let now = timeline.now()
            draws.forEach { $0.bucket.lockForLinked() }
            var step = Step.done
            var longest: Int64 = 0
            for draw in draws {
                switch draw.bucket.linkedCheck(cost: draw.cost, priority: priority, effects: &effects) {
                case .grantable:
                    continue
                case .wait(let nanos):
                    longest = max(longest, nanos)
                case .blockedByReserve:
                    if case .done = step { step = .reserve(draw.bucket) }
                case .tooLarge(let capacity):
                    step = .tooLarge(.costExceedsCapacity(bucket: draw.bucket.name, cost: draw.cost, capacity: capacity))
                }
                if case .tooLarge = step { break }
            }
            if case .done = step, longest > 0 { step = .sleep(now.addingSaturating(longest)) }
            var taken: [(RateLimitPool, UInt64)] = []
            if case .done = step {
                for draw in draws { taken.append((draw.bucket, draw.bucket.linkedTake(cost: draw.cost, priority: priority, untilSettled: untilSettled))) }
            }
            draws.reversed().forEach { $0.bucket.unlockForLinked() }
            effects.run(timeline: timeline)
            switch step {
            case .done:
                return (.nanoseconds(timeline.now() - start), RateLimitTicket(grants: untilSettled ? taken : []))
            case .sleep(let until):
                try await timeline.sleepUntil(until)
            case .reserve(let bucket):
                try await bucket.waitForReserveRelease()
            case .tooLarge(let error):
                throw error
            }
        }
    }

    /// Takes every cost at once if every bucket can serve this taker now; otherwise takes nothing.
    public static func tryAcquire(_ plan: RateLimitPlan, priority: RatePriority = .cancel) -> Bool {
        if plan.draws.count == 1 { return plan.draws[0].bucket.tryAcquire(cost: plan.draws[0].cost, priority: priority) }
        let draws = plan.draws.sorted { ObjectIdentifier($0.bucket) < ObjectIdentifier($1.bucket) }
        guard let first = draws.first else { return true }
        var effects = RateLimitPool.Effects()
        draws.forEach { $0.bucket.lockForLinked() }
        var all = true
        for draw in draws {
            guard case .grantable = draw.bucket.linkedCheck(cost: draw.cost, priority: priority, effects: &effects) else {
                all = false
                break
            }
        }
        if all { for draw in draws { _ = draw.bucket.linkedTake(cost: draw.cost, priority: priority, untilSettled: false) } }
        draws.reversed().forEach { $0.bucket.unlockForLinked() }
        effects.run(timeline: first.bucket.timeline)
        return all
    }
}

extension RateLimitPlan {
    /// Waits for and takes this plan's budget.
    @discardableResult
    public func acquire(priority: RatePriority = .cancel) async throws -> Duration {
        try await LinkedPools.acquire(self, priority: priority)
    }

    public func tryAcquire(priority: RatePriority = .cancel) -> Bool {
        LinkedPools.tryAcquire(self, priority: priority)
    }

    /// A 429 / throttle answer to a request made under this plan: every bucket of the plan is penalized
    /// (the caller cannot tell which pool the venue ran out of).
    public func penalize(retryAfter: Duration?) {
        for draw in draws { draw.bucket.penalize(retryAfter: retryAfter, cost: draw.cost) }
    }
}

/// The in-flight grants of one admitted request: settle it once the request is over (answered, failed, or
/// never sent), so its grants start leaving their windows.
public struct RateLimitTicket: Sendable {
    let grants: [(pool: RateLimitPool, sequence: UInt64)]

    public static let none = RateLimitTicket(grants: [])

    public func settle() {
        for grant in grants { grant.pool.settle(grant.sequence) }
    }
}
