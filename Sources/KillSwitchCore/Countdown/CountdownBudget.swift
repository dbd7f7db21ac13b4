import Foundation

/// What countdown refreshes cost and may cost, per rate-limit pool (docs/venues.md):
///
/// | venue | refreshes draw from | cost per call | budget |
/// |---|---|---|---|
/// | Gate futures, Gate spot | the countdown endpoint's own pool, per venue account and market (200 / 10 s) | 1 | the whole pool |
/// | HTX | the `cancel-all-after` endpoint's own pool, per venue account (50 / 2 s) | 1 | the whole pool |
/// | Binance COIN-M | the IP's request weight, shared with cancels (2400 / min published; the live figure from `exchangeInfo`) | 10 per symbol | 20% of REQUEST_WEIGHT |
///
/// The budget is what `config check` compares a plan with; the reserve is what the limiter holds back for
/// refreshes (`RateLimitPool.setRefreshReserve`) so that an incident's cancels cannot starve them.
public enum CountdownBudget {
    /// The share of Binance's REQUEST_WEIGHT refreshes may take: the rest stays the cancels'.
    public static let binanceShare = 0.2

    /// The pool refreshes draw from and their cost per call; nil where the venue has no countdown.
    public static func rule(kind: VenueKind) -> RateLimitRule? {
        guard kind.hasCountdown else { return nil }
        return RateLimitRule.defaultRule(kind: kind, operation: .countdown)
    }

    /// Cost per minute refreshes may take from a pool of `limit` on `kind` (weight for Binance, requests
    /// elsewhere).
    public static func budgetPerMinute(kind: VenueKind, limit: BucketLimit) -> Double {
        let perMinute = Double(limit.capacity) * 60 / limit.window.seconds
        return kind == .binanceCoinM ? perMinute * binanceShare : perMinute
    }

    /// Cost per minute of refreshing `targets` countdowns (Binance: symbols; elsewhere 1) every `refresh`.
    public static func costPerMinute(kind: VenueKind, refresh: Duration, targets: Int) -> Double {
        guard let rule = rule(kind: kind) else { return 0 }
        return Double(rule.cost * targets) * 60 / refresh.seconds
    }

    /// The cost per window to reserve so that `targets` refreshes every `refresh` always find budget in a pool
    /// whose requests are spaced over `span` (its window plus the jitter allowance): at most ⌈span / refresh⌉
    /// calls per target fall in any such window.
    public static func reservePerWindow(kind: VenueKind, refresh: Duration, targets: Int, span: Duration) -> Int {
        guard let rule = rule(kind: kind), targets > 0, refresh > .zero else { return 0 }
        let calls = Int((Double(span.nanoseconds) / Double(refresh.nanoseconds)).rounded(.up))
        return max(1, calls) * rule.cost * targets
    }
}
