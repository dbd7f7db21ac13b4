import Foundation

/// A rule's verdict for the status API: whether it fires, the current value and the threshold as text,
/// and a human sentence such as "PnL -25000 at or below -25000 (daily-loss)".
public struct RuleEvaluation: Sendable, Hashable, Codable, CustomStringConvertible {
    public var ruleId: String
    public var fired: Bool
    public var value: String
    public var threshold: String
    public var reason: String
    /// When the rule counts per account or per account and symbol, the narrower scope the condition
    /// holds in (nil: the rule's own scope).
    public var scope: Scope?
    /// The same value and threshold as numbers, for the metrics (`value` and `threshold` are text for people:
    /// "5s", "3 orders, notional 1200"). Empty while the rule has nothing measured yet.
    public var measures: [RuleMeasure]

    public init(ruleId: String, fired: Bool, value: String, threshold: String, reason: String, scope: Scope? = nil, measures: [RuleMeasure] = []) {
        self.ruleId = ruleId
        self.fired = fired
        self.value = value
        self.threshold = threshold
        self.reason = reason
        self.scope = scope
        self.measures = measures
    }

    public var description: String { reason }
}

public enum RuleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A PnL mark's currency differs from the rule's (a rule sums only accounts of one currency).
    case currencyMismatch(ruleId: String, venue: String, expected: String, got: String)
    /// A PnL mark dated more than `allowed` after the daemon's wall clock (`MarkSkew`); times in ms.
    case markAhead(venue: String, time: Int64, now: Int64, allowed: Duration)

    public var description: String {
        switch self {
        case let .currencyMismatch(ruleId, venue, expected, got):
            "rule \(ruleId): PnL mark from \(venue) is in \(got), the rule sums \(expected) only"
        case let .markAhead(venue, time, now, allowed):
            "\(Timestamp.format(time)) is \(durationText(.milliseconds(time - now))) ahead of the daemon's clock (\(Timestamp.format(now))); "
                + "a mark from \(venue) may be at most \(durationText(allowed)) ahead ([pnl] mark_skew): check the sender's clock"
        }
    }

    /// The request field the error is about, for the control API's `field: reason` errors.
    public var field: String {
        switch self {
        case .currencyMismatch: "currency"
        case .markAhead: "time"
        }
    }
}

/// Exact text for a `Foundation.Decimal` (via `DecimalAmount`'s canonical form).
func decimalText(_ value: Decimal) -> String { DecimalAmount(value).text }

/// A duration as milliseconds text when it is not a whole unit of `DurationText`.
func durationText(_ duration: Duration) -> String {
    let nanos = duration.nanoseconds
    if nanos % 1_000_000 == 0 {
        return nanos <= 0 ? "0ms" : DurationText.format(duration)
    }
    return "\(Double(nanos) / 1e6)ms"
}
