import Foundation

/// One numeric quantity a rule compares with its limit, as the metrics export it
/// (`killswitch_rule_value{rule, measure}` against `killswitch_rule_threshold{rule, measure}`).
///
/// A rule may have two (exposure: open orders and open notional) or none yet (a drawdown still waiting for
/// its marks). Which way the comparison goes is the rule kind's, documented with the metric: heartbeat,
/// order-rate, reject-storm and exposure fire above the threshold (heartbeat and stale-feed at it), loss-limit at or below
/// it, drawdown at or above it.
public struct RuleMeasure: Sendable, Hashable, Codable {
    /// `silence_seconds`, `new_orders`, `rejects`, `pnl`, `drawdown`, `open_orders`, `open_notional` or
    /// `feed_age_seconds`.
    public var name: String
    public var value: Double
    public var threshold: Double

    public init(name: String, value: Double, threshold: Double) {
        self.name = name
        self.value = value
        self.threshold = threshold
    }
}

extension Decimal {
    /// The nearest `Double`, for metrics only (rules decide on the exact decimal).
    var metricValue: Double { NSDecimalNumber(decimal: self).doubleValue }
}
