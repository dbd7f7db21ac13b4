import Foundation
import KillSwitchCore
import KillSwitchStore

extension TripEngine {
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

    /// The audit timeline shows, per venue entry, the strategy chosen and why (event `cancel-strategy`).
    func recordPlans(_ plans: [(venue: VenueDescriptor, choice: CancelStrategyChoice)], incidentId: Int64) async {
        for (venue, choice) in plans {
            logger.info("cancel strategy", metadata: ["incident": "\(incidentId)", "venue": "\(venue.id)", "plan": "\(choice.plan)", "reason": "\(choice.reason)"])
            guard incidentId > 0 else { continue }
            do {
                try await store.appendAudit(kind: "cancel-strategy", incidentId: incidentId, actor: nil, detail: [
                    "venue": venue.id, "strategy": (venue.strategy ?? settings.strategy).rawValue, "plan": choice.plan.description, "reason": choice.reason,
                ])
            } catch {
                logger.error("could not record the cancel strategy", metadata: ["incident": "\(incidentId)", "error": "\(error)"])
            }
        }
    }
}
