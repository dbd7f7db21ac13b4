import KillSwitchCore

extension Store {
    /// How many of the orders a venue listed as open no bot ever reported: the tracker has no record of the
    /// order (by the venue's order id, or by its client order id), or knows it only because an earlier
    /// listing adopted it (its events are all killswitch's own: `sync`, `venue`). Read-only; for the metrics'
    /// `killswitch_venue_untracked_open_orders`, so an order a bot placed without reporting it keeps counting
    /// on every listing while it rests, adopted or not.
    public func untrackedCount(venueId: String, listed: [VenueOpenOrder]) throws -> Int {
        guard let venue = venues[venueId], !listed.isEmpty else { return 0 }
        let byVenueId = try db.cached("""
            SELECT 1 FROM orders o JOIN order_events e ON e.order_id = o.id
            WHERE o.venue_id = ? AND o.account = ? AND o.venue_order_id = ? AND e.source NOT IN ('sync', 'venue') LIMIT 1
            """)
        let byClientId = try db.cached("""
            SELECT 1 FROM orders o JOIN order_events e ON e.order_id = o.id
            WHERE o.venue_id = ? AND o.account = ? AND o.client_order_id = ? AND e.source NOT IN ('sync', 'venue') LIMIT 1
            """)
        defer {
            byVenueId.reset()
            byClientId.reset()
        }
        var untracked = 0
        for order in listed {
            byVenueId.reset()
            if try byVenueId.bind([.text(venueId), .text(venue.account), .text(order.venueOrderId)]).step() { continue }
            if let client = order.clientOrderId {
                byClientId.reset()
                if try byClientId.bind([.text(venueId), .text(venue.account), .text(client)]).step() { continue }
            }
            untracked += 1
        }
        return untracked
    }
}
