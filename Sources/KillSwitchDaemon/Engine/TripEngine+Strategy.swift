import Foundation
import KillSwitchCore
import KillSwitchStore

extension TripEngine {
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
