/// Capacity = the published count, refilled continuously at count per window — the same model the trip
/// engine paces itself with, so a correct client at safety margin 0 is never refused.
struct TokenBucket: Sendable {
    let capacity: Double
    let refillPerMs: Double
    private(set) var tokens: Double
    private var lastRefillMs: Int64

    init(rule: RateLimitRule, now: Int64) {
        capacity = rule.capacity
        refillPerMs = rule.capacity / Double(max(1, rule.windowMs))
        tokens = rule.capacity
        lastRefillMs = now
    }

    mutating func refill(now: Int64) {
        // A clock shifted backwards (fire drill) neither refills nor drains.
        guard now > lastRefillMs else { return }
        tokens = min(capacity, tokens + Double(now - lastRefillMs) * refillPerMs)
        lastRefillMs = now
    }

    /// Takes `cost` if it is there, or would be within `toleranceMs` (early arrival is forgiven).
    mutating func take(cost: Double, now: Int64, toleranceMs: Int64) -> Bool {
        refill(now: now)
        let forgiven = Double(toleranceMs) * refillPerMs
        guard tokens + forgiven + 1e-9 >= cost else { return false }
        tokens -= cost
        return true
    }

    /// Milliseconds until `cost` tokens are there.
    func millisecondsUntil(cost: Double) -> Int64 {
        guard tokens < cost else { return 0 }
        return Int64(((cost - tokens) / refillPerMs).rounded(.up))
    }

    /// Milliseconds until the bucket is full again.
    var millisecondsUntilFull: Int64 {
        Int64(((capacity - tokens) / refillPerMs).rounded(.up))
    }
}

/// A published limit: `capacity` per `windowMs`.
struct RateLimitRule: Sendable, Hashable {
    var capacity: Double
    var windowMs: Int64

    /// The venues' published limits (docs/venues.md §1c, §2c, §3c, §4c).
    static let gateCancels = RateLimitRule(capacity: 200, windowMs: 1_000)
    static let gateOtherPrivate = RateLimitRule(capacity: 200, windowMs: 10_000)
    static let htxPerEndpoint = RateLimitRule(capacity: 50, windowMs: 2_000)
    static let bitgetPerEndpoint = RateLimitRule(capacity: 10, windowMs: 1_000)
    static let binanceRequestWeight = RateLimitRule(capacity: 2_400, windowMs: 60_000)
}
