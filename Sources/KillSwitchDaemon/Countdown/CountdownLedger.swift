import Synchronization

/// What each countdown group's refreshes cost per minute on each pool (Binance's per-IP weight is shared by
/// every Binance entry), so that together they stay within the pool's budget (20% of the live REQUEST_WEIGHT)
/// as symbols are armed on first sight.
final class CountdownLedger: Sendable {
    /// Pool name → holder (countdown group) → cost per minute.
    private let costs = Mutex<[String: [String: Double]]>([:])

    /// Records `cost` for `holder` on `pool` if the pool's holders together stay within `budget` (or `force`:
    /// the configured symbols, which `config check` already held to the published budget); false (nothing
    /// changed) otherwise. Lowering a holder's cost always succeeds.
    func admit(pool: String, holder: String, cost: Double, budget: Double, force: Bool = false) -> Bool {
        costs.withLock { costs in
            let current = costs[pool, default: [:]]
            let others = current.filter { $0.key != holder }.values.reduce(0, +)
            guard force || cost <= (current[holder] ?? 0) || others + cost <= budget + 1e-9 else { return false }
            costs[pool, default: [:]][holder] = cost
            return true
        }
    }
}
