/// The outcome of drawing from a bucket, with what the usage headers need.
struct RateLimitCheck: Sendable {
    var allowed: Bool
    var limit: Int
    var remaining: Int
    /// Capacity minus what is left (Binance's used weight).
    var used: Int
    /// When refused: how long until the cost is available.
    var retryAfterMs: Int64
    /// When the bucket will be full again.
    var fullAtMs: Int64
}

/// All token buckets, keyed by exchange/market/account-or-IP/endpoint, with the overrides applied.
struct RateLimiter: Sendable {
    var enabled: Bool
    var overrides: [SimRateLimitOverride] {
        didSet { buckets = [:] }
    }
    let toleranceMs: Int64
    private var buckets: [String: TokenBucket] = [:]

    init(enabled: Bool, overrides: [SimRateLimitOverride], toleranceMs: Int64) {
        self.enabled = enabled
        self.overrides = overrides
        self.toleranceMs = toleranceMs
    }

    /// The rule in force, or nil when limits are off for this exchange/market.
    func rule(exchange: String, market: String, published: RateLimitRule) -> RateLimitRule? {
        guard enabled else { return nil }
        let applicable =
            overrides.last { $0.exchange == exchange && $0.market == market }
            ?? overrides.last { $0.exchange == exchange && $0.market == nil }
        guard let override = applicable else { return published }
        if override.enabled == false { return nil }
        return RateLimitRule(
            capacity: override.capacity ?? published.capacity,
            windowMs: override.windowMs ?? published.windowMs
        )
    }

    mutating func draw(
        exchange: String, market: String, bucket: @autoclosure () -> String, published: RateLimitRule, cost: Double, now: Int64,
        force: Bool = false
    ) -> RateLimitCheck {
        guard let rule = rule(exchange: exchange, market: market, published: published) else {
            let limit = Int(published.capacity)
            return RateLimitCheck(
                allowed: !force, limit: limit, remaining: limit, used: 0,
                retryAfterMs: force ? 1_000 : 0, fullAtMs: now
            )
        }
        let key = "\(exchange)|\(market)|\(bucket())"
        var tokenBucket = buckets[key] ?? TokenBucket(rule: rule, now: now)
        let allowed = force ? false : tokenBucket.take(cost: cost, now: now, toleranceMs: toleranceMs)
        if force { tokenBucket.refill(now: now) }
        buckets[key] = tokenBucket
        let remaining = max(0, Int(tokenBucket.tokens.rounded(.down)))
        return RateLimitCheck(
            allowed: allowed,
            limit: Int(rule.capacity),
            remaining: remaining,
            used: Int(rule.capacity) - remaining,
            retryAfterMs: allowed ? 0 : max(1, tokenBucket.millisecondsUntil(cost: cost)),
            fullAtMs: now + tokenBucket.millisecondsUntilFull
        )
    }

    mutating func reset() {
        buckets = [:]
    }
}
