import Synchronization

/// What each countdown group's refreshes cost per minute on a shared pool (Binance's per-IP weight), so that
/// together they stay within the budget (20% of the live REQUEST_WEIGHT) as symbols are armed on first sight.
final class CountdownLedger: Sendable {
    private let costs = Mutex<[String: Double]>([:])

    /// Records `cost` for `holder` if all holders together stay within `budget`; false (nothing changed)
    /// otherwise. Lowering a holder's cost always succeeds.
    func admit(holder: String, cost: Double, budget: Double) -> Bool {
        costs.withLock { costs in
            let others = costs.filter { $0.key != holder }.values.reduce(0, +)
            guard cost <= (costs[holder] ?? 0) || others + cost <= budget + 1e-9 else { return false }
            costs[holder] = cost
            return true
        }
    }
}
