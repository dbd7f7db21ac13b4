/// The outcome of one rate-limit check, with what the usage headers need.
struct RateLimitCheck: Sendable {
    var allowed: Bool
    /// The published count N (or weight) per window.
    var limit: Int
    /// N minus what the window ending now holds (after this request when allowed).
    var remaining: Int
    /// What the window ending now holds (Binance's used weight).
    var used: Int
    /// When refused: how long until the request would fit.
    var retryAfterMs: Int64
    /// When the oldest arrival in the window ending now leaves it (now when the window is empty).
    var windowClearsAtMs: Int64
    /// The limit key the request was counted under (nil when limits are off for it).
    var key: String?
}

/// Strict counting as the venues count: per limit key, a log of admitted arrival times; a request is refused
/// when admitting it would put more than N (Binance: more than N weight) in any window of length W − tolerance
/// (see `VenueSimConfiguration.rateLimitToleranceMs`). No token bucket, no fixed windows: a client that sends
/// N at once and then one more before W has passed is refused, however its own pacing model sees it.
///
/// Keys are built by the venue routes the way each venue counts (docs/venues.md limit tables):
/// - Gate: per UID and market, all cancel endpoints together (200/s); every other private endpoint per UID,
///   market and endpoint (200/10 s).
/// - HTX: per UID across its API keys, per endpoint (50/2 s).
/// - Bitget: per UID, per endpoint (10/s).
/// - Binance: request weight per peer IP across every account (2400/min), each endpoint its documented weight.
struct RateLimiter: Sendable {
    var enabled: Bool
    var overrides: [SimRateLimitOverride] {
        didSet { logs = [:] }
    }
    let toleranceMs: Int64
    private var logs: [String: ArrivalLog] = [:]
    /// The rule last applied to each key (for the arrival summaries).
    private(set) var rules: [String: RateLimitRule] = [:]
    /// Requests since the last sweep of idle keys.
    private var sinceSweep = 0

    init(enabled: Bool, overrides: [SimRateLimitOverride], toleranceMs: Int64) {
        self.enabled = enabled
        self.overrides = overrides
        self.toleranceMs = max(0, toleranceMs)
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

    /// The window a refusal is judged on: W less the arrival-time tolerance (at least 1 ms).
    func judgedWindow(_ rule: RateLimitRule) -> Int64 {
        max(1, rule.windowMs - toleranceMs)
    }

    /// Counts one request of `cost` arriving at `now` under `exchange|market|key`, or refuses it. `force`
    /// (the `forceRateLimit` fault) refuses without counting.
    mutating func draw(
        exchange: String, market: String, key: @autoclosure () -> String, published: RateLimitRule, cost: Double, now: Int64,
        force: Bool = false
    ) -> RateLimitCheck {
        guard let rule = rule(exchange: exchange, market: market, published: published) else {
            let limit = Int(published.capacity)
            return RateLimitCheck(
                allowed: !force, limit: limit, remaining: limit, used: 0, retryAfterMs: force ? 1_000 : 0,
                windowClearsAtMs: now, key: nil
            )
        }
        let fullKey = "\(exchange)|\(market)|\(key())"
        rules[fullKey] = rule
        let window = judgedWindow(rule)
        var log = logs[fullKey] ?? ArrivalLog()
        log.prune(before: now - max(rule.windowMs, window) - toleranceMs)
        let heaviest = log.heaviestWindow(containing: now, windowMs: window, extra: cost)
        let allowed = !force && heaviest <= rule.capacity + 1e-9
        if allowed { log.insert(now, cost: cost) }
        let used = log.cost(from: now - window + 1, to: now + 1)
        let oldest = log.times.isEmpty ? nil : log.times[log.firstIndex(atOrAfter: now - window + 1)...].first
        let retryAfter = allowed
            ? 0
            : max(1, log.earliestAdmission(at: now, windowMs: window, limit: rule.capacity, extra: cost) - now)
        logs[fullKey] = log
        sweepIdleKeys(now: now)
        return RateLimitCheck(
            allowed: allowed,
            limit: Int(rule.capacity),
            remaining: max(0, Int((rule.capacity - used).rounded(.down))),
            used: Int(used.rounded()),
            retryAfterMs: retryAfter,
            windowClearsAtMs: oldest.map { $0 + window } ?? now,
            key: fullKey
        )
    }

    /// Every few thousand requests, drops keys whose newest arrival left every window (bounded memory for
    /// many short-lived keys, e.g. one IP per test).
    private mutating func sweepIdleKeys(now: Int64) {
        sinceSweep += 1
        guard sinceSweep >= 4096 else { return }
        sinceSweep = 0
        for (key, log) in logs {
            let horizon = (rules[key]?.windowMs ?? 0) + toleranceMs
            if let newest = log.times.last, newest >= now - horizon { continue }
            logs[key] = nil
        }
    }

    mutating func reset() {
        logs = [:]
        rules = [:]
    }
}

/// A published limit: `capacity` requests (Binance: weight) per `windowMs`.
struct RateLimitRule: Sendable, Hashable {
    var capacity: Double
    var windowMs: Int64

    /// docs/venues.md limit tables.
    static let gateCancels = RateLimitRule(capacity: 200, windowMs: 1_000)
    static let gateOtherPrivate = RateLimitRule(capacity: 200, windowMs: 10_000)
    static let htxPerEndpoint = RateLimitRule(capacity: 50, windowMs: 2_000)
    static let bitgetPerEndpoint = RateLimitRule(capacity: 10, windowMs: 1_000)
    static let binanceRequestWeight = RateLimitRule(capacity: 2_400, windowMs: 60_000)
}
