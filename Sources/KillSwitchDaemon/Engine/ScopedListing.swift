import KillSwitchCore

/// The one listing loop: a venue account's open orders, every page read, kept to what a tripped scope
/// covers (`TripScope`). Verification, the final sweep and the latched sweep all list through here, so what
/// "in scope" means never differs between them. A listing that fails or is cut short throws: it decides
/// nothing.
struct ScopedListing: Sendable {
    let venue: VenueDescriptor
    let scope: TripScope

    /// The symbol the venue call is narrowed to (the scope's, written as the venue writes it).
    var symbol: String? { scope.symbol(for: venue.kind) }

    /// Lists (every page, each taking its rate-limit budget in the client); returns how many orders the venue
    /// showed and those in scope.
    func fetch(client: any VenueClient) async throws -> (listed: Int, inScope: [VenueOpenOrder]) {
        let open = try await client.openOrders(symbol: symbol)
        return (open.count, inScope(open))
    }

    func inScope(_ open: [VenueOpenOrder]) -> [VenueOpenOrder] {
        open.filter { scope.containsOrder(kind: venue.kind, symbol: $0.symbol) }
    }
}
