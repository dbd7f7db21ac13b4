import Foundation

/// Open notional of one order.
public enum Notional {
    /// - Linear contract (or no contract spec: spot, multiplier 1): `price × |quantity| × multiplier`,
    ///   in the quote currency. Gate futures sizes are contracts × multiplier.
    /// - Inverse (Binance COIN-M): each contract is worth a fixed USD amount, the multiplier, so the
    ///   notional is `|quantity| × multiplier` USD and the price does not enter.
    /// The same in floating point, from the stored text, for ordering cancels (no decimal parsing).
    public static func estimate(price: String?, quantity: String?, filled: String?, contract: ContractSpec?) -> Double {
        guard let quantity = quantity.flatMap(Double.init) else { return 0 }
        let size = abs(quantity - (filled.flatMap(Double.init) ?? 0))
        let multiplier = contract.flatMap { Double($0.multiplier.text) } ?? 1
        if contract?.inverse == true { return size * multiplier }
        return (price.flatMap(Double.init) ?? 0) * size * multiplier
    }

    public static func of(price: DecimalAmount, quantity: DecimalAmount, contract: ContractSpec?) -> DecimalAmount {
        let size = abs(quantity.decimal)
        let multiplier = contract?.multiplier.decimal ?? 1
        if contract?.inverse == true { return DecimalAmount(size * multiplier) }
        return DecimalAmount(price.decimal * size * multiplier)
    }
}

/// The `exposure` rule: fires when the open-order count in scope is more than `maxOpenOrders`, or the
/// open notional in scope is more than `maxOpenNotional` (either limit may be absent). The caller
/// computes both from its order book (with `Notional.of`).
public struct ExposureEvaluator: Sendable {
    public let ruleId: String
    public let maxOpenOrders: Int?
    public let maxOpenNotional: DecimalAmount?

    public init(ruleId: String, maxOpenOrders: Int?, maxOpenNotional: DecimalAmount?) {
        self.ruleId = ruleId
        self.maxOpenOrders = maxOpenOrders
        self.maxOpenNotional = maxOpenNotional
    }

    public init?(rule: RuleDefinition) {
        guard case let .exposure(maxOpenOrders, maxOpenNotional) = rule.kind else { return nil }
        self.init(ruleId: rule.id, maxOpenOrders: maxOpenOrders, maxOpenNotional: maxOpenNotional)
    }

    public func evaluate(openOrders: Int, openNotional: DecimalAmount) -> RuleEvaluation {
        let countFired = maxOpenOrders.map { openOrders > $0 } ?? false
        let notionalFired = maxOpenNotional.map { openNotional > $0 } ?? false
        let value = "\(openOrders) orders, notional \(openNotional.text)"
        let threshold = [maxOpenOrders.map { "\($0) orders" }, maxOpenNotional.map { "notional \($0.text)" }]
            .compactMap { $0 }.joined(separator: ", ")
        var parts: [String] = []
        if countFired, let max = maxOpenOrders { parts.append("\(openOrders) open orders above \(max)") }
        if notionalFired, let max = maxOpenNotional { parts.append("open notional \(openNotional.text) above \(max.text)") }
        let reason = parts.isEmpty
            ? "\(value) within \(threshold.isEmpty ? "no limit" : threshold) (\(ruleId))"
            : parts.joined(separator: "; ") + " (\(ruleId))"
        var measures: [RuleMeasure] = []
        if let max = maxOpenOrders { measures.append(RuleMeasure(name: "open_orders", value: Double(openOrders), threshold: Double(max))) }
        if let max = maxOpenNotional { measures.append(RuleMeasure(name: "open_notional", value: openNotional.decimal.metricValue, threshold: max.decimal.metricValue)) }
        return RuleEvaluation(ruleId: ruleId, fired: countFired || notionalFired, value: value, threshold: threshold, reason: reason, measures: measures)
    }
}
