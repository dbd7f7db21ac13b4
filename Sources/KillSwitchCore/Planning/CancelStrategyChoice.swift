import Foundation

/// `auto`'s choice per venue entry: the faster of batch cancels by id and the venue's cancel-all, judged from
/// the orders the engine holds and the venue's limits — and only where `WholesaleCancel` allows a cancel-all.
/// Pure: the caller measures the limits (`drainSeconds`) and records the answer and its reason.
///
/// Each side's time is what its requests take to pass the venue's rate-limit pools (`drainSeconds(operation,
/// requests)`: 0 while they fit the burst), plus each request's local cost (`perRequest`: its intent, its
/// answer and its outcome rows go through the one store writer, on a machine that also runs every other
/// venue's fan-out), plus the round trips that cannot overlap: one for batch cancels (they pipeline), one per
/// sequential round for a cancel-all (HTX's `batchCancelOpenOrders` takes 100 orders a call, each round after the
/// last). Both end with a listing, so it is left out. The cancel-all must win by more than `margin`: otherwise by
/// id, whose answers name every order (cancelled, or filled first) where a cancel-all's do not.
public struct CancelStrategyChoice: Sendable, Hashable {
    public var plan: CancelPlan
    /// Why, for the audit: the strategy, the eligibility verdict, and both estimates when compared.
    public var reason: String

    /// HTX's `batchCancelOpenOrders` takes at most this many orders per call (`size` 1–100).
    public static let htxCancelAllRound = 100
    /// The most rounds a venue client runs one cancel-all for (`VenueClientConfiguration.maxPages`' default).
    public static let maxCancelAllRounds = 50

    public init(plan: CancelPlan, reason: String) {
        self.plan = plan
        self.reason = reason
    }

    public static func choose(strategy: CancelStrategy, kind: VenueKind, wholesale: WholesaleCancel, scopeSymbol: String?, orders: [PlannedOrder],
                              roundTrip: Double = 0.05, perRequest: Double = 0.001, margin: Double = 0.005,
                              drainSeconds: (VenueOperation, Int) -> Double) -> CancelStrategyChoice {
        guard strategy == .auto else { return CancelStrategyChoice(plan: .byId, reason: "strategy by-id") }
        if let refusal = wholesale.reason { return CancelStrategyChoice(plan: .byId, reason: "auto: cancel-all not allowed: \(refusal)") }
        guard !orders.isEmpty else { return CancelStrategyChoice(plan: .byId, reason: "auto: no tracked orders; the listing finds any") }
        var reach: CancelAllReach
        var calls = 1
        if let scopeSymbol {
            reach = .symbols([kind.canonicalSymbol(scopeSymbol)])
        } else if kind == .binanceCoinM {
            // Binance has no cancel-all without a symbol: one per symbol the orders are on (any other symbol's
            // orders are found by the listing and cancelled by id).
            let symbols = Array(Set(orders.map { kind.canonicalSymbol($0.target.symbol) })).sorted()
            reach = .symbols(symbols)
            calls = symbols.count
        } else {
            reach = .entry
        }
        var rounds = kind == .htxSpot ? max(1, (orders.count + htxCancelAllRound - 1) / htxCancelAllRound) : 1
        if kind == .htxSpot, scopeSymbol == nil {
            // HTX's rounds go one after the other, but one per symbol group may run in parallel: per symbol, the
            // most rounds any symbol needs is what the cancel-all waits for.
            let perSymbol = Dictionary(grouping: orders, by: { kind.canonicalSymbol($0.target.symbol) }).mapValues { ($0.count + htxCancelAllRound - 1) / htxCancelAllRound }
            let longest = perSymbol.values.max() ?? 1
            let total = perSymbol.values.reduce(0, +)
            let entryWide = drainSeconds(.cancelAll, rounds) + Double(rounds) * (roundTrip + perRequest)
            let grouped = drainSeconds(.cancelAll, total) + Double(total) * perRequest + Double(longest) * roundTrip
            if perSymbol.count > 1, longest <= maxCancelAllRounds, grouped < entryWide || rounds > maxCancelAllRounds {
                reach = .symbols(perSymbol.keys.sorted())
                calls = perSymbol.count
                rounds = longest
            }
        }
        if rounds > maxCancelAllRounds {
            // The client stops a cancel-all after this many rounds (as it cuts a listing): more orders than that
            // go by id.
            return CancelStrategyChoice(plan: .byId, reason: "auto: by id (a cancel-all would need \(rounds) rounds, more than \(maxCancelAllRounds))")
        }
        let batches = CancelPlanner.batches(venueId: "", kind: kind, orders: orders).count
        let byId = drainSeconds(.batchCancel, batches) + Double(batches) * perRequest + roundTrip
        // Per-symbol HTX groups: `calls` loops in parallel, each up to `rounds` long (an upper bound on requests).
        let cancelAll = drainSeconds(.cancelAll, calls * rounds) + Double(calls * rounds) * perRequest + Double(rounds) * roundTrip
        let estimate = "by id \(batches) request(s) ≈ \(format(byId)) s, cancel-all \(calls * rounds) request(s) in \(rounds) round(s) ≈ \(format(cancelAll)) s"
        if cancelAll + margin < byId {
            return CancelStrategyChoice(plan: .cancelAll(reach), reason: "auto: cancel-all is faster (\(estimate))")
        }
        return CancelStrategyChoice(plan: .byId, reason: "auto: by id is as fast or nearly (\(estimate))")
    }

    /// Seconds to the millisecond ("0.051"), without `String(format:)`: the choice is made on the trip's path.
    static func format(_ seconds: Double) -> String {
        let milliseconds = Int((max(0, seconds) * 1_000).rounded())
        let fraction = String(milliseconds % 1_000)
        return "\(milliseconds / 1_000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}
