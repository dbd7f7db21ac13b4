import KillSwitchCore
import KillSwitchStore
import Logging

/// What a listing's adoption left for an operator to know: client ids that moved to another order (the
/// venue's order id decided), and orders cancelled without a row (no outcome will be written for them).
enum ListingAdoptionLog {
    static func log(_ adoption: ListingAdoption, venueId: String, incidentId: Int64?, logger: Logger) {
        let incident = incidentId.map { String($0) } ?? "-"
        for move in adoption.clientIdsMoved {
            logger.warning("listed order reuses a stored client id: adopted by its venue order id", metadata: [
                "incident": "\(incident)", "venue": "\(venueId)", "clientOrderId": "\(move.clientOrderId)",
                "fromOrder": "\(move.fromOrderId)", "fromVenueOrderId": "\(move.fromVenueOrderId)",
                "toOrder": "\(move.toOrderId)", "toVenueOrderId": "\(move.toVenueOrderId)",
            ])
        }
        guard let first = adoption.unrecorded.first else { return }
        logger.error("listed orders could not be recorded: cancelling them by venue order id without outcome rows", metadata: [
            "incident": "\(incident)", "venue": "\(venueId)", "orders": "\(adoption.unrecorded.count)",
            "venueOrderIds": "\(adoption.unrecorded.prefix(20).compactMap(\.target.venueOrderId).joined(separator: ","))",
            "reason": "\(first.reason)",
        ])
    }
}
