/// A `dms-lost` rule: counts the consecutive failed refreshes of the venue's countdown cancel-all. It fires
/// at `failures` in a row (the countdown may fire any moment, or has: the venue is no longer the last line),
/// and holds until a refresh succeeds again, so a re-arm is refused while it still fails.
public struct CountdownLossMonitor: Sendable, Hashable {
    public let ruleId: String
    public let failures: Int
    public private(set) var consecutive = 0
    public private(set) var lastFailure: String?

    public init?(rule: RuleDefinition) {
        guard case .dmsLost(let failures) = rule.kind else { return nil }
        ruleId = rule.id
        self.failures = failures
    }

    /// One refresh's result.
    public mutating func record(succeeded: Bool, detail: String?) -> RuleEvaluation {
        if succeeded {
            consecutive = 0
            lastFailure = nil
        } else {
            consecutive += 1
            lastFailure = detail
        }
        return evaluate()
    }

    public func evaluate() -> RuleEvaluation {
        let fired = consecutive >= failures
        let reason = fired
            ? "countdown cancel-all lost: \(consecutive) consecutive refreshes failed (\(lastFailure ?? "no detail")) (\(ruleId))"
            : (consecutive == 0 ? "countdown refreshed" : "\(consecutive) consecutive countdown refresh failure(s), \(lastFailure ?? "no detail")")
        return RuleEvaluation(ruleId: ruleId, fired: fired, value: "\(consecutive) failed", threshold: "\(failures) failed", reason: reason,
                              measures: [RuleMeasure(name: "dms_failures", value: Double(consecutive), threshold: Double(failures))])
    }
}
