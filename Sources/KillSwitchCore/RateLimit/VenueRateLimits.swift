import Foundation

/// The calls the engine makes to a venue, as far as rate limits are concerned.
public enum VenueOperation: Sendable, Hashable, CustomStringConvertible {
    case batchCancel
    case cancelAll
    /// `symbol`: whether the listing names one symbol (Binance weighs a listing without one at 40).
    case openOrders(symbol: Bool)
    /// Countdown cancel-all (dead-man's switch) refresh.
    case countdown
    /// The venue's server-time endpoint (clock sync).
    case time
    /// Binance `exchangeInfo` (the live rate-limit figures).
    case exchangeInfo

    public var description: String {
        switch self {
        case .batchCancel: "batch-cancel"
        case .cancelAll: "cancel-all"
        case .openOrders(let symbol): symbol ? "open-orders(symbol)" : "open-orders"
        case .countdown: "countdown"
        case .time: "time"
        case .exchangeInfo: "exchange-info"
        }
    }
}

/// A bucket's published figures.
public struct BucketLimit: Sendable, Hashable, CustomStringConvertible {
    public var capacity: Int
    public var window: Duration

    public init(capacity: Int, window: Duration) {
        self.capacity = capacity
        self.window = window
    }

    public var description: String { "\(capacity)/\(DurationText.format(window))" }
}

/// Which pool an operation draws from and at what cost (the published limits, tabled at `defaultRule`).
public struct RateLimitRule: Sendable, Hashable {
    /// The pool's name within the venue kind: `cancels`, `open-orders`, `batchcancel`, `weight`, ….
    public var pool: String
    public var limit: BucketLimit
    public var cost: Int
    /// One pool for every account of the kind (Binance's request weight is per IP).
    public var perIP: Bool

    public init(pool: String, limit: BucketLimit, cost: Int, perIP: Bool = false) {
        self.pool = pool
        self.limit = limit
        self.cost = cost
        self.perIP = perIP
    }

    /// The published default for `operation` on `kind`; nil when the call is not rate limited.
    ///
    /// | kind | pool(s) | figures | cost |
    /// |---|---|---|---|
    /// | gate-futures, gate-spot | `cancels` (batch cancel and cancel-all share it), per account | 200 / 1 s | 1 |
    /// | | one pool per other private endpoint (`open-orders`, `countdown`), per account | 200 / 10 s | 1 |
    /// | htx-spot | one per endpoint (`batchcancel`, `batchCancelOpenOrders`, `openOrders`, `countdown`), per account | 50 / 2 s | 1 |
    /// | bitget-mix | one per endpoint (`batch-cancel-orders`, `cancel-all-orders`, `orders-pending`, `countdown`), per account | 10 / 1 s | 1 |
    /// | binance-coinm | `weight`, per IP (all binance accounts) | 2400 / 60 s | batchOrders 1, allOpenOrders 1, openOrders 1 with symbol / 40 without, countdownCancelAll 10, time 1, exchangeInfo 1 |
    ///
    /// Time endpoints are public and unlimited except on Binance, where they carry weight 1.
    /// `exchangeInfo` is only called on Binance; elsewhere it is treated as unlimited.
    public static func defaultRule(kind: VenueKind, operation: VenueOperation) -> RateLimitRule? {
        switch kind {
        case .gateFutures, .gateSpot:
            let cancels = BucketLimit(capacity: 200, window: .seconds(1))
            let other = BucketLimit(capacity: 200, window: .seconds(10))
            switch operation {
            case .batchCancel, .cancelAll: return RateLimitRule(pool: "cancels", limit: cancels, cost: 1)
            case .openOrders: return RateLimitRule(pool: "open-orders", limit: other, cost: 1)
            case .countdown: return RateLimitRule(pool: "countdown", limit: other, cost: 1)
            case .time, .exchangeInfo: return nil
            }
        case .htxSpot:
            let limit = BucketLimit(capacity: 50, window: .seconds(2))
            switch operation {
            case .batchCancel: return RateLimitRule(pool: "batchcancel", limit: limit, cost: 1)
            case .cancelAll: return RateLimitRule(pool: "batchCancelOpenOrders", limit: limit, cost: 1)
            case .openOrders: return RateLimitRule(pool: "openOrders", limit: limit, cost: 1)
            case .countdown: return RateLimitRule(pool: "countdown", limit: limit, cost: 1)
            case .time, .exchangeInfo: return nil
            }
        case .bitgetMix:
            let limit = BucketLimit(capacity: 10, window: .seconds(1))
            switch operation {
            case .batchCancel: return RateLimitRule(pool: "batch-cancel-orders", limit: limit, cost: 1)
            case .cancelAll: return RateLimitRule(pool: "cancel-all-orders", limit: limit, cost: 1)
            case .openOrders: return RateLimitRule(pool: "orders-pending", limit: limit, cost: 1)
            case .countdown: return RateLimitRule(pool: "countdown", limit: limit, cost: 1)
            case .time, .exchangeInfo: return nil
            }
        case .binanceCoinM:
            let cost: Int
            switch operation {
            case .batchCancel, .cancelAll, .time, .exchangeInfo: cost = 1
            case .openOrders(let symbol): cost = symbol ? 1 : 40
            case .countdown: cost = 10
            }
            return RateLimitRule(pool: "weight", limit: binanceWeight, cost: cost, perIP: true)
        }
    }

    public static let binanceWeight = BucketLimit(capacity: 2400, window: .seconds(60))
}

/// The registry of rate-limit pools for every configured venue account, keyed the way each venue counts:
///
/// | venue | pools counted per |
/// |---|---|
/// | Gate | venue account (UID) and market (spot, futures): cancels share one pool, each other endpoint its own |
/// | HTX | venue account (UID), per endpoint, across its API keys |
/// | Bitget | venue account (UID), per endpoint |
/// | Binance | IP: one request-weight pool for every Binance entry |
///
/// The venue account is the entry's `uid` (two entries with different labels on one account share their
/// pools); an entry without one falls back to its kind and account label. Overrides (the simulator's limits,
/// tests) replace a pool's published figures per kind: key `"<kind>/<pool>"`, e.g. `"htx-spot/batchcancel"`.
///
/// Also the venue clients' `RequestAdmission`: every request a client puts on the wire (each listing page,
/// each cancel-all round, a resend after a clock rejection) is admitted here first.
public final class VenueRateLimits: RequestAdmission, Sendable {
    private struct Registry: Sendable {
        /// Venue id → the key prefix of its pools.
        var accounts: [String: (kind: VenueKind, owner: String)] = [:]
        /// Key: "<owner>/<pool>" or "binance/ip/<pool>".
        var buckets: [String: RateLimitPool] = [:]
        var reserve = false
        /// Refresh reserves by pool name, then by who holds them (one countdown group each).
        var refreshReserves: [String: [String: Int]] = [:]
    }

    private let clock: any Clock<Duration>
    public let safetyMargin: Double
    /// Added to every window when spacing requests (network jitter bunches arrivals).
    public let jitterAllowance: Duration
    private let overrides: [String: BucketLimit]
    private let registry: LockedBox<Registry>

    public init(clock: any Clock<Duration>, safetyMargin: Double = 0, jitterAllowance: Duration = .zero, overrides: [String: BucketLimit] = [:]) {
        self.clock = clock
        self.safetyMargin = safetyMargin
        self.jitterAllowance = jitterAllowance
        self.overrides = overrides
        registry = LockedBox(Registry())
    }

    /// Who owns a venue entry's pools: the venue account (uid) and, on Gate, the market.
    public static func owner(kind: VenueKind, uid: String?, account: String) -> String {
        let who = uid.map { "uid:\($0)" } ?? "label:\(kind.rawValue):\(account)"
        switch kind {
        case .gateFutures: return "gate/\(who)/futures"
        case .gateSpot: return "gate/\(who)/spot"
        case .htxSpot: return "htx/\(who)"
        case .bitgetMix: return "bitget/\(who)"
        case .binanceCoinM: return "binance/\(who)"
        }
    }

    /// Registers a venue entry and creates its pools. Entries on one venue account share them.
    public func register(venueId: String, kind: VenueKind, account: String, uid: String? = nil) {
        let owner = Self.owner(kind: kind, uid: uid, account: account)
        registry.withLock { r in
            r.accounts[venueId] = (kind, owner)
            for operation in Self.allOperations {
                _ = bucket(&r, kind: kind, owner: owner, operation: operation)
            }
        }
    }

    public func register(_ descriptor: VenueDescriptor) {
        register(venueId: descriptor.id, kind: descriptor.kind, account: descriptor.account, uid: descriptor.uid)
    }

    /// The pools and costs a call draws from (`.unlimited` for an unregistered venue id or an unlimited call).
    public func plan(venueId: String, operation: VenueOperation) -> RateLimitPlan {
        registry.withLock { r in
            guard let account = r.accounts[venueId] else { return .unlimited }
            guard let (bucket, cost) = bucket(&r, kind: account.kind, owner: account.owner, operation: operation) else {
                return .unlimited
            }
            return RateLimitPlan([.init(bucket: bucket, cost: cost)])
        }
    }

    /// Waits for and takes the budget of one call.
    @discardableResult
    public func acquire(venueId: String, operation: VenueOperation, priority: RatePriority = .cancel) async throws -> Duration {
        try await plan(venueId: venueId, operation: operation).acquire(priority: priority)
    }

    /// A 429 / throttle answer to `operation` on `venueId`.
    public func penalize(venueId: String, operation: VenueOperation, retryAfter: Duration?) {
        plan(venueId: venueId, operation: operation).penalize(retryAfter: retryAfter)
    }

    // MARK: RequestAdmission

    /// Admits one request under the task's `RequestContext`: waits for its budget at the context's priority,
    /// reports the wait, then asks the context whether the request may still leave (a re-armed scope's
    /// fan-out sends nothing more).
    public func admit(venueId: String, operation: VenueOperation) async throws -> RateLimitTicket {
        let context = RequestContext.current
        let (waited, ticket) = try await LinkedPools.acquire(plan(venueId: venueId, operation: operation), priority: context.priority, untilSettled: true)
        context.waited(venueId, waited)
        guard context.mayStillSend() else {
            ticket.settle()
            throw RequestNotAdmitted.stopped
        }
        return ticket
    }

    /// What an answer said about the venue's limits: a throttle or ban holds the pool (a ban: the whole
    /// IP pool, until its end), usage headers count what others spent on the same account or IP.
    public func venueSaid(_ signal: RateLimitSignal, venueId: String, operation: VenueOperation) {
        let plan = plan(venueId: venueId, operation: operation)
        if let bannedUntil = signal.bannedUntilMilliseconds {
            // Until the ban's end as the venue wrote it (the client fills in `minimumBanHold` when it could
            // not read one).
            plan.penalize(retryAfter: .milliseconds(max(0, bannedUntil - WallClock.system.now())))
        } else if signal.throttled {
            plan.penalize(retryAfter: signal.retryAfterMilliseconds.map { .milliseconds($0) })
        }
        for draw in plan.draws {
            if let used = signal.usedWeight { draw.bucket.reconcile(used: used) }
            if let remaining = signal.remaining { draw.bucket.reconcile(remaining: remaining) }
        }
    }

    /// A ban whose end cannot be read is held this long (Binance bans last 2 minutes to 3 days, and
    /// lengthen when hammered); the venue client applies it.
    public static let minimumBanHold: Duration = .seconds(120)

    /// The live Binance figure from `exchangeInfo` (REQUEST_WEIGHT): applies to the shared IP pool.
    public func setBinanceWeightLimit(_ limit: BucketLimit) {
        let buckets = registry.withLock { r in
            r.buckets.filter { $0.key.hasPrefix("binance/ip/") }.map(\.value)
        }
        for bucket in buckets { bucket.setLimits(capacity: limit.capacity, window: limit.window) }
    }

    /// Holds every pool back from background traffic while an incident runs.
    public func setReserveForIncidents(_ reserve: Bool) {
        let buckets = registry.withLock { r in
            r.reserve = reserve
            return Array(r.buckets.values)
        }
        for bucket in buckets { bucket.setReserveForIncidents(reserve) }
    }

    /// Reserves `cost` per window of the pool `operation` draws from on `venueId` for countdown refreshes
    /// (`.refresh` takers), under `holder` (one countdown group): several holders on one pool (Binance's per-IP
    /// weight) add up. 0 releases the holder's part. Returns the pool's total reserve, or nil when the call is
    /// not rate limited.
    @discardableResult
    public func setRefreshReservation(holder: String, venueId: String, operation: VenueOperation = .countdown, cost: Int) -> Int? {
        let result = registry.withLock { r -> (RateLimitPool, Int)? in
            guard let account = r.accounts[venueId], let (bucket, _) = bucket(&r, kind: account.kind, owner: account.owner, operation: operation) else { return nil }
            r.refreshReserves[bucket.name, default: [:]][holder] = cost > 0 ? cost : nil
            return (bucket, r.refreshReserves[bucket.name]?.values.reduce(0, +) ?? 0)
        }
        guard let (bucket, total) = result else { return nil }
        bucket.setRefreshReserve(total)
        return total
    }

    /// Every pool by key, for health and metrics.
    public var allBuckets: [String: RateLimitPool] { registry.withLock { $0.buckets } }

    /// The pools a venue id draws from, by pool name.
    public func buckets(venueId: String) -> [String: RateLimitPool] {
        registry.withLock { r in
            guard let account = r.accounts[venueId] else { return [:] }
            var result: [String: RateLimitPool] = [:]
            for operation in Self.allOperations {
                if let (bucket, _) = bucket(&r, kind: account.kind, owner: account.owner, operation: operation),
                   let rule = RateLimitRule.defaultRule(kind: account.kind, operation: operation) {
                    result[rule.pool] = bucket
                }
            }
            return result
        }
    }

    static let allOperations: [VenueOperation] = [.batchCancel, .cancelAll, .openOrders(symbol: true), .openOrders(symbol: false), .countdown, .time, .exchangeInfo]

    private func bucket(_ r: inout Registry, kind: VenueKind, owner: String, operation: VenueOperation) -> (RateLimitPool, Int)? {
        guard let rule = RateLimitRule.defaultRule(kind: kind, operation: operation) else { return nil }
        let key = rule.perIP ? "\(kind.exchange)/ip/\(rule.pool)" : "\(owner)/\(rule.pool)"
        if let existing = r.buckets[key] { return (existing, rule.cost) }
        let limit = overrides["\(kind.rawValue)/\(rule.pool)"] ?? rule.limit
        let bucket = RateLimitPool(name: key, capacity: limit.capacity, window: limit.window, jitterAllowance: jitterAllowance,
                                   safetyMargin: safetyMargin, clock: clock)
        if r.reserve { bucket.setReserveForIncidents(true) }
        r.buckets[key] = bucket
        return (bucket, rule.cost)
    }
}

/// A value behind a lock, for registries that are read far more than written.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    init(_ value: Value) {
        self.value = value
    }

    func withLock<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
}
