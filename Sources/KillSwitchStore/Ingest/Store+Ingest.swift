import KillSwitchCore

/// A tracked order's current row, as the ingest merge reads it.
struct OrderRow {
    var id: Int64
    var symbol: String
    var venueOrderId: String?
    var clientOrderId: String?
    var status: OrderStatus
    var filled: DecimalAmount
    var side: String?
    var price: String?
    var quantity: String?
}

extension Store {
    /// Stores a batch of events in one transaction and answers per event, after commit.
    /// Idempotent by eventId; reordering-tolerant (terminal states are final, open states only advance,
    /// filled quantity never decreases). Events that failed validation come back as `rejected` and the
    /// rest of the batch is still stored. `caller` is who sent the batch (recorded on each event row).
    public func ingest(_ events: [Result<OrderEvent, EventError>], source: String = "client", caller: AuditActor? = nil) throws -> [IngestResult] {
        let now = clock.now()
        return try write { db in
            try events.enumerated().map { index, item in
                switch item {
                case .failure(let error): return .rejected(error)
                case .success(let event): return try ingestOne(db, event, index: index, source: source, caller: caller, now: now)
                }
            }
        }
    }

    public func ingest(_ events: [OrderEvent], source: String = "client", caller: AuditActor? = nil) throws -> [IngestResult] {
        try ingest(events.map { .success($0) }, source: source, caller: caller)
    }

    private func ingestOne(_ db: SQLiteConnection, _ event: OrderEvent, index: Int, source: String, caller: AuditActor?, now: Int64) throws -> IngestResult {
        let duplicate = try db.cached("SELECT order_id FROM order_events WHERE event_id = ?").bind(1, event.eventId)
        if try duplicate.step() { return .duplicate(orderId: duplicate.int(0)) }

        func reject(_ field: String, _ reason: String) -> IngestResult {
            .rejected(EventError(index: index, field: field, reason: reason))
        }
        var byVenueId: OrderRow?
        if let venueOrderId = event.venueOrderId {
            byVenueId = try findOrder(db, event, column: "venue_order_id", value: venueOrderId)
        }
        var byClientId: OrderRow?
        if let clientOrderId = event.clientOrderId, byVenueId?.clientOrderId != clientOrderId {
            byClientId = try findOrder(db, event, column: "client_order_id", value: clientOrderId)
        }
        // Decide which row the event belongs to, joining client-id-only rows to their venue id.
        var row = byVenueId ?? byClientId
        var mergeFrom: OrderRow?
        if let venueRow = byVenueId, let clientRow = byClientId {
            guard clientRow.venueOrderId == nil else {
                return reject("clientOrderId", "\"\(event.clientOrderId!)\" already belongs to venue order \(clientRow.venueOrderId!)")
            }
            mergeFrom = clientRow
            row = venueRow
        }
        if let existing = row {
            if let known = existing.venueOrderId, let given = event.venueOrderId, known != given {
                return reject("venueOrderId", "\"\(given)\" differs from venue order id \(known) already joined to clientOrderId \"\(event.clientOrderId ?? "")\"")
            }
            if let known = existing.clientOrderId, let given = event.clientOrderId, known != given {
                return reject("clientOrderId", "\"\(given)\" differs from the order's clientOrderId \"\(known)\"")
            }
            if existing.symbol != event.symbol {
                return reject("symbol", "\"\(event.symbol)\" differs from the order's symbol \"\(existing.symbol)\"")
            }
        }

        let orderId: Int64
        let status: OrderStatus
        let isNew: Bool
        if var existing = row {
            let statusBefore = existing.status
            if let other = mergeFrom {
                statusChanged(from: other.status, to: nil)
                existing.status = existing.status.merging(other.status)
                existing.filled = max(existing.filled, other.filled)
                try db.cached("UPDATE orders SET client_order_id = NULL, merged_into = ?, updated_at = ? WHERE id = ?")
                    .bind([.integer(existing.id), .integer(now), .integer(other.id)]).run()
            }
            status = existing.status.merging(event.status)
            let filled = max(existing.filled, event.filledQuantity ?? .zero)
            // Terminal orders keep their last known terms; open ones take the newest terms given.
            let open = !existing.status.isTerminal
            try db.cached("""
                UPDATE orders SET venue_order_id = ?, client_order_id = ?, origin = coalesce(origin, ?), side = ?, price = ?, quantity = ?,
                    filled_quantity = ?, status = ?, updated_at = ? WHERE id = ?
                """).bind([
                    SQLiteValue(existing.venueOrderId ?? event.venueOrderId),
                    SQLiteValue(existing.clientOrderId ?? event.clientOrderId ?? mergeFrom?.clientOrderId), SQLiteValue(event.origin),
                    SQLiteValue(existing.side ?? event.side?.rawValue),
                    SQLiteValue(open ? (event.price?.text ?? existing.price) : existing.price),
                    SQLiteValue(open ? (event.quantity?.text ?? existing.quantity) : existing.quantity),
                    .text(filled.text), .text(status.rawValue), .integer(now), .integer(existing.id),
                ]).run()
            statusChanged(from: statusBefore, to: status)
            orderId = existing.id
            isNew = false
        } else {
            let venue = venues[event.venueId]
            status = event.status
            try db.cached("""
                INSERT INTO orders (venue_id, account, symbol, venue_order_id, client_order_id, origin, side, price, quantity,
                    filled_quantity, status, settle, product_type, margin_coin, contract_multiplier, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).bind([
                    .text(event.venueId), .text(event.account), .text(event.symbol), SQLiteValue(event.venueOrderId),
                    SQLiteValue(event.clientOrderId), SQLiteValue(event.origin), SQLiteValue(event.side?.rawValue), SQLiteValue(event.price?.text),
                    SQLiteValue(event.quantity?.text), .text((event.filledQuantity ?? .zero).text), .text(status.rawValue),
                    SQLiteValue(venue?.market.settle), SQLiteValue(venue?.market.productType), SQLiteValue(venue?.market.marginCoin),
                    SQLiteValue(venue?.contracts[event.symbol]?.multiplier.text), .integer(now), .integer(now),
                ]).run()
            statusChanged(from: nil, to: status)
            orderId = db.lastInsertRowID
            isNew = true
        }
        try db.cached("""
            INSERT INTO order_events (event_id, order_id, source, venue_id, account, symbol, venue_order_id, client_order_id, origin,
                status, side, price, quantity, filled_quantity, event_time, received_at, caller, caller_uid)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).bind([
                .text(event.eventId), .integer(orderId), .text(source), .text(event.venueId), .text(event.account),
                .text(event.symbol), SQLiteValue(event.venueOrderId), SQLiteValue(event.clientOrderId), SQLiteValue(event.origin), .text(event.status.rawValue),
                SQLiteValue(event.side?.rawValue), SQLiteValue(event.price?.text), SQLiteValue(event.quantity?.text),
                SQLiteValue(event.filledQuantity?.text), SQLiteValue(event.time), .integer(now),
                SQLiteValue(caller?.name), SQLiteValue(caller?.uid.map(Int64.init)),
            ]).run()
        return .stored(orderId: orderId, status: status, isNewOrder: isNew)
    }

    private func findOrder(_ db: SQLiteConnection, _ event: OrderEvent, column: String, value: String) throws -> OrderRow? {
        let statement = try db.cached("""
            SELECT id, symbol, venue_order_id, client_order_id, status, filled_quantity, side, price, quantity
            FROM orders WHERE venue_id = ? AND account = ? AND \(column) = ?
            """).bind([.text(event.venueId), .text(event.account), .text(value)])
        guard try statement.step() else { return nil }
        return OrderRow(
            id: statement.int(0), symbol: statement.text(1) ?? "", venueOrderId: statement.text(2), clientOrderId: statement.text(3),
            status: OrderStatus(rawValue: statement.text(4) ?? "") ?? .new, filled: DecimalAmount(statement.text(5) ?? "0") ?? .zero,
            side: statement.text(6), price: statement.text(7), quantity: statement.text(8)
        )
    }
}
