import KillSwitchCore
import KillSwitchStore

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
    /// showed and those in scope (kept orders are not: `TripScope`).
    func fetch(client: any VenueClient) async throws -> (listed: Int, inScope: [VenueOpenOrder], kept: Int) {
        let open = try await client.openOrders(symbol: symbol)
        return (open.count, inScope(open), kept(open).count)
    }

    func inScope(_ open: [VenueOpenOrder]) -> [VenueOpenOrder] {
        open.filter { scope.contains(venue, symbol: $0.symbol, clientOrderId: $0.clientOrderId) }
    }

    /// The listed orders a keep rule protects (on the scope's symbols), for the audit.
    func kept(_ open: [VenueOpenOrder]) -> [VenueOpenOrder] {
        open.filter { scope.containsOrder(kind: venue.kind, symbol: $0.symbol) && scope.keeps(venue, symbol: $0.symbol, clientOrderId: $0.clientOrderId) }
    }

    /// Tells the metrics how many of the listed orders no bot reported (`killswitch_venue_untracked_open_orders`).
    /// Every listing reports here, whatever its purpose, so the gauge is the last listing's. Never throws: a
    /// metric must not fail a listing.
    func reportUntracked(_ listed: [VenueOpenOrder], store: Store, metrics: KillSwitchMetrics?) async {
        guard let metrics, let untracked = try? await store.untrackedCount(venueId: venue.id, listed: listed) else { return }
        metrics.listed(venueId: venue.id, untracked: untracked)
    }
}
