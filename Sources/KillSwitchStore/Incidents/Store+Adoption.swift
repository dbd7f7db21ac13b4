import KillSwitchCore

extension Store {
    /// Finds or creates the store's rows for orders a venue lists (orders the tracker may never have known), so
    /// cancel outcomes have an order to point at. Never fails the listing: each order is adopted on its own
    /// (a savepoint each), and an order whose row cannot be written is still returned — under a synthetic id,
    /// to be cancelled by its venue id (`ListingAdoption.unrecorded`).
    ///
    /// The venue's order id is authoritative. A listed client id held by a stored row with another venue id
    /// (a client id reused on the venue) moves to the listed order's row: the venue says that id names this
    /// order now, and the old row keeps its venue id, its history and its events. The move is audited
    /// (`client-id-moved`, under `incidentId` when a fan-out listed it).
    public func adoptListed(venueId: String, orders listed: [VenueOpenOrder], incidentId: Int64? = nil) -> ListingAdoption {
        guard let venue = venues[venueId] else {
            let unrecorded = listed.map { ListingAdoption.unrecorded($0, venueId: venueId, reason: "venue \(venueId) is not configured in the store") }
            return ListingAdoption(targets: unrecorded.map(\.target), unrecorded: unrecorded)
        }
        let now = clock.now()
        do {
            return try write { db in
                var adoption = ListingAdoption(targets: [])
                for order in listed {
                    let before = pendingStatusChanges
                    try db.execute("SAVEPOINT adopt_listed")
                    do {
                        let (target, move) = try adoptOne(db, order, venue: venue, incidentId: incidentId, now: now)
                        try db.execute("RELEASE adopt_listed")
                        adoption.targets.append(target)
                        if let move { adoption.clientIdsMoved.append(move) }
                    } catch {
                        // Only this order's writes are undone; the rest of the listing is adopted.
                        try db.execute("ROLLBACK TO adopt_listed")
                        try db.execute("RELEASE adopt_listed")
                        pendingStatusChanges = before
                        let unrecorded = ListingAdoption.unrecorded(order, venueId: venueId, reason: "\(error)")
                        adoption.unrecorded.append(unrecorded)
                        adoption.targets.append(unrecorded.target)
                    }
                }
                if !adoption.unrecorded.isEmpty {
                    // Best effort: a failing audit row must not undo the orders adopted above.
                    try? appendAudit(db, at: now, kind: "orders-not-recorded", incidentId: incidentId, actor: nil, detail: [
                        "venue": venueId, "count": String(adoption.unrecorded.count),
                        "venueOrderIds": adoption.unrecorded.prefix(20).compactMap(\.target.venueOrderId).joined(separator: ","),
                        "reason": adoption.unrecorded[0].reason,
                    ])
                }
                return adoption
            }
        } catch {
            // The transaction itself failed (nothing of it is committed): rows the store already had are still
            // found by reading; every other listed order is cancelled without a row.
            let reason = "\(error)"
            var adoption = ListingAdoption(targets: [])
            for order in listed {
                if let id = try? existingOrderId(venueId: venueId, account: venue.account, venueOrderId: order.venueOrderId) {
                    adoption.targets.append(CancelTarget(orderId: id, symbol: order.symbol, venueOrderId: order.venueOrderId, clientOrderId: order.clientOrderId))
                } else {
                    let unrecorded = ListingAdoption.unrecorded(order, venueId: venueId, reason: reason)
                    adoption.unrecorded.append(unrecorded)
                    adoption.targets.append(unrecorded.target)
                }
            }
            return adoption
        }
    }

    private func existingOrderId(venueId: String, account: String, venueOrderId: String) throws -> Int64? {
        let find = try db.cached("SELECT id FROM orders WHERE venue_id = ? AND account = ? AND venue_order_id = ?")
            .bind([.text(venueId), .text(account), .text(venueOrderId)])
        defer { find.reset() }
        return try find.step() ? find.int(0) : nil
    }

    /// One listed order: its row by venue id; else the row its client id names while that row has no venue id
    /// yet (joined); else a new row — taking the client id from a row with another venue id if need be.
    /// The venue lists the order open, so it is open, whatever the row says (a "not found" answer to a stale
    /// client id, an event that was wrong): the row goes back to `acknowledged`, through an order event, and the
    /// audit says why — otherwise the latched sweep, which cancels what the store believes open, would miss it.
    private func reopenIfClosed(_ db: SQLiteConnection, id: Int64, order: VenueOpenOrder, venue: VenueDescriptor, incidentId: Int64?, now: Int64) throws {
        let read = try db.cached("SELECT status FROM orders WHERE id = ?").bind(1, id)
        guard try read.step(), let status = OrderStatus(rawValue: read.text(0) ?? ""), status.isTerminal else { read.reset(); return }
        read.reset()
        try db.cached("UPDATE orders SET status = 'acknowledged', updated_at = ? WHERE id = ?").bind([.integer(now), .integer(id)]).run()
        statusChanged(from: status, to: .acknowledged)
        try db.cached("""
            INSERT OR IGNORE INTO order_events (event_id, order_id, source, venue_id, account, symbol, venue_order_id, client_order_id, origin, status, received_at)
            VALUES (?, ?, 'sync', ?, ?, ?, ?, ?, ?, 'acknowledged', ?)
            """).bind([.text("ks:reopen:\(venue.id):\(order.venueOrderId):\(now)"), .integer(id), .text(venue.id), .text(venue.account), .text(order.symbol),
                      .text(order.venueOrderId), SQLiteValue(order.clientOrderId), SQLiteValue(order.origin), .integer(now)]).run()
        try appendAudit(db, at: now, kind: "order-reopened", incidentId: incidentId, actor: nil, detail: [
            "venue": venue.id, "order": String(id), "venueOrderId": order.venueOrderId, "was": status.rawValue,
            "reason": "the venue lists it open",
        ])
    }

    private func adoptOne(_ db: SQLiteConnection, _ order: VenueOpenOrder, venue: VenueDescriptor, incidentId: Int64?,
                          now: Int64) throws -> (CancelTarget, ListingAdoption.ClientIdMove?) {
        let venueId = venue.id
        let target = { (id: Int64) in CancelTarget(orderId: id, symbol: order.symbol, venueOrderId: order.venueOrderId, clientOrderId: order.clientOrderId) }
        if let id = try existingOrderId(venueId: venueId, account: venue.account, venueOrderId: order.venueOrderId) {
            if let origin = order.origin {
                try db.cached("UPDATE orders SET origin = ? WHERE id = ? AND origin IS NULL").bind([.text(origin), .integer(id)]).run()
            }
            try reopenIfClosed(db, id: id, order: order, venue: venue, incidentId: incidentId, now: now)
            return (target(id), nil)
        }
        var move: (id: Int64, venueOrderId: String)?
        if let client = order.clientOrderId {
            let byClient = try db.cached("SELECT id, venue_order_id FROM orders WHERE venue_id = ? AND account = ? AND client_order_id = ?")
                .bind([.text(venueId), .text(venue.account), .text(client)])
            let holder: (id: Int64, venueOrderId: String?)? = try byClient.step() ? (byClient.int(0), byClient.text(1)) : nil
            byClient.reset()
            if let holder {
                guard let other = holder.venueOrderId else {
                    // Reported by its client id only, never joined: this is the order.
                    try db.cached("UPDATE orders SET venue_order_id = ?, origin = coalesce(origin, ?), updated_at = ? WHERE id = ?")
                        .bind([.text(order.venueOrderId), SQLiteValue(order.origin), .integer(now), .integer(holder.id)]).run()
                    try reopenIfClosed(db, id: holder.id, order: order, venue: venue, incidentId: incidentId, now: now)
                    return (target(holder.id), nil)
                }
                // Another venue order holds the id: the venue's id decides; the old row keeps its own venue id.
                try db.cached("UPDATE orders SET client_order_id = NULL, updated_at = ? WHERE id = ?").bind([.integer(now), .integer(holder.id)]).run()
                move = (holder.id, other)
            }
        }
        try db.cached("""
            INSERT INTO orders (venue_id, account, symbol, venue_order_id, client_order_id, origin, status, settle, product_type, margin_coin, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, 'acknowledged', ?, ?, ?, ?, ?)
            """).bind([.text(venueId), .text(venue.account), .text(order.symbol), .text(order.venueOrderId), SQLiteValue(order.clientOrderId),
                      SQLiteValue(order.origin), SQLiteValue(venue.market.settle), SQLiteValue(venue.market.productType),
                      SQLiteValue(venue.market.marginCoin), .integer(now), .integer(now)]).run()
        let id = db.lastInsertRowID
        statusChanged(from: nil, to: .acknowledged)
        try db.cached("""
            INSERT INTO order_events (event_id, order_id, source, venue_id, account, symbol, venue_order_id, client_order_id, origin, status, received_at)
            VALUES (?, ?, 'sync', ?, ?, ?, ?, ?, ?, 'acknowledged', ?)
            """).bind([.text("ks:sync:\(venueId):\(order.venueOrderId)"), .integer(id), .text(venueId), .text(venue.account), .text(order.symbol),
                      .text(order.venueOrderId), SQLiteValue(order.clientOrderId), SQLiteValue(order.origin), .integer(now)]).run()
        guard let move, let client = order.clientOrderId else { return (target(id), nil) }
        try appendAudit(db, at: now, kind: "client-id-moved", incidentId: incidentId, actor: nil, detail: [
            "venue": venueId, "clientOrderId": client, "fromOrder": String(move.id), "fromVenueOrderId": move.venueOrderId,
            "toOrder": String(id), "toVenueOrderId": order.venueOrderId,
            "reason": "the venue lists this client id on another order id; the venue's order id decides",
        ])
        return (target(id), ListingAdoption.ClientIdMove(clientOrderId: client, fromOrderId: move.id, fromVenueOrderId: move.venueOrderId,
                                                        toOrderId: id, toVenueOrderId: order.venueOrderId))
    }
}
