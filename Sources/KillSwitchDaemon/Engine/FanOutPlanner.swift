import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchStore

/// Decides a fan-out's setup from the incident and the scope's open orders, without I/O — so a trip can decide it
/// inside the store's transaction that opens the incident.
struct FanOutPlanner: Sendable {
    let venues: [VenueDescriptor]
    let settings: EngineSettings
    /// Venue entries that have a client (keys); the others in scope make the fan-out `incomplete`.
    let workable: Set<String>
    let limits: VenueRateLimits

    /// - Parameter voided: venue entries whose keep an earlier fan-out of the incident found void (they stay void).
    func setup(_ incident: IncidentRecord, open stored: [StoredOrder], kind: FanOutKind, resume: IncidentResumeState?, voided: Set<String> = []) -> FanOutSetup {
        // Keep rules: kept orders are outside the scope, unless their notional is over the entry's cap.
        let kept = KeptOrders(scope: incident.scope, venues: venues, open: stored)
        let scope = TripScope(incident.scope, keepVoided: kept.voided.union(voided))
        let inScope = scope.venues(in: venues)
        // Each venue's orders in scope, grouped in one pass (a trip may plan tens of thousands).
        let venueById = Dictionary(inScope.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var open: [String: [StoredOrder]] = [:]
        for order in stored {
            guard let venue = venueById[order.venueId], scope.contains(venue, symbol: order.symbol, clientOrderId: order.clientOrderId) else { continue }
            open[order.venueId, default: []].append(order)
        }
        let rejected = Set((resume?.terminal ?? [:]).filter { $0.value == .rejected }.keys)
        let listingFailuresAllowed: Int? = if case .keepTrying = kind { 1 } else { nil }
        var machines: [VenueCancelStateMachine] = []
        var plans: [(venue: VenueDescriptor, choice: CancelStrategyChoice)] = []
        for venue in inScope {
            let orders = (open[venue.id] ?? []).map { PlannedOrder(target: $0.cancelTarget.usable(by: venue.kind), notional: TripEngine.notionalEstimate($0, venue: venue)) }
            let unavailable: String? = workable.contains(venue.id) ? nil
                : venue.enabled ? "no venue client (no credentials)" : "disabled in the configuration (enabled = false)"
            let wholesale = WholesaleCancel.check(venue, among: venues, scope: scope)
            // A resumed fan-out goes by id: its requests already sent are verified first, not covered again.
            let choice = resume == nil && unavailable == nil
                ? choosePlan(venue, scope: scope, wholesale: wholesale, orders: orders) : CancelStrategyChoice(plan: .byId, reason: unavailable ?? "resumed: by id")
            if case .first = kind { plans.append((venue, choice)) }
            machines.append(VenueCancelStateMachine(
                venueId: venue.id, kind: venue.kind, symbolScope: incident.scope.symbol, escalateAfter: settings.escalateAfter, orders: orders,
                previousAttempts: resume?.attempts ?? [:], mustVerify: resume?.unanswered ?? [], rejected: rejected, unavailable: unavailable,
                listingFailuresAllowed: listingFailuresAllowed, wholesale: wholesale, plan: choice.plan,
                verifyListingMaySettle: (venue.strategy ?? settings.strategy) == .auto
            ))
        }
        return FanOutSetup(kept: kept, scope: scope, machine: IncidentStateMachine(incidentId: incident.id, venues: machines), plans: plans)
    }

    /// A trip's setup, started: the opening actions (slowest venue first) and the intents of the first batch-cancel
    /// step among them — only the first: it goes in the incident's commit, and the other venues' steps are
    /// recorded by the executor one commit each, while the first venue's requests are already on the wire (one
    /// commit holding thousands of orders' intents would hold every venue back).
    func opening(_ incident: IncidentRecord, open: [StoredOrder]) -> (opening: FanOutOpening, intents: [PlannedIntents]) {
        var setup = setup(incident, open: open, kind: .first, resume: nil)
        let actions = Self.slowestVenueFirst(setup.machine.start(), limits: limits)
        let first = actions.lazy.compactMap { action -> PlannedIntents? in
            guard case .venue(let venueId, .send(let batches)) = action else { return nil }
            return PlannedIntents(venueId: venueId, kind: "batch-cancel", requests: batches.map { batch in
                (setup.machine.attempts(venueId, batch.targets).values.max() ?? 1, batch.symbol, batch.targets)
            })
        }.first
        return (FanOutOpening(setup: setup, actions: actions, recorded: nil), first.map { [$0] } ?? [])
    }

    /// Orders the opening actions so the venue whose bucket will take longest to drain starts first: its first
    /// requests then leave before the fast venues' hundreds compete for the CPU and the store, and the incident's
    /// end — set by that venue — is not pushed back by work that was never on the critical path.
    static func slowestVenueFirst(_ actions: [IncidentStateMachine.Action], limits: VenueRateLimits) -> [IncidentStateMachine.Action] {
        func drainSeconds(_ action: IncidentStateMachine.Action) -> Double {
            guard case .venue(let venueId, .send(let batches)) = action else { return 0 }
            let plan = limits.plan(venueId: venueId, operation: .batchCancel)
            return plan.draws.map { draw in
                let needed = Double(batches.count * draw.cost - draw.bucket.usableCapacity)
                return max(0, needed) / max(draw.bucket.refillPerSecond, .leastNonzeroMagnitude)
            }.max() ?? 0
        }
        return actions.enumerated().sorted { a, b in
            let (da, db) = (drainSeconds(a.element), drainSeconds(b.element))
            return da != db ? da > db : a.offset < b.offset
        }.map(\.element)
    }

    /// The entry's plan for this fan-out: its strategy (the entry's own, else `[engine] strategy`), the one
    /// eligibility check, and `auto`'s comparison at the venue's limits as this process holds them.
    func choosePlan(_ venue: VenueDescriptor, scope: TripScope, wholesale: WholesaleCancel, orders: [PlannedOrder]) -> CancelStrategyChoice {
        let limits = self.limits
        return CancelStrategyChoice.choose(strategy: venue.strategy ?? settings.strategy, kind: venue.kind, wholesale: wholesale,
                                           scopeSymbol: scope.symbol(for: venue.kind), orders: orders) { operation, requests in
            limits.plan(venueId: venue.id, operation: operation).draws.map { draw in
                max(0, Double(requests * draw.cost - draw.bucket.usableCapacity)) / max(draw.bucket.refillPerSecond, .leastNonzeroMagnitude)
            }.max() ?? 0
        }
    }
}
