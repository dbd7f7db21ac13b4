import KillSwitchCore

/// One batch of events inside its write transaction: every event is decided in order against the orders as
/// they stand after the events before it, exactly as if each were written at once, but each order touched by
/// the batch is written once, at the end, in its final state (a batch often carries an order's new,
/// acknowledged and fill events together), and the event rows follow in batch order.
///
/// The rows a batch changed live here until then; lookups check them first, and a row read from the table
/// that the batch has since changed is taken from here (a key it no longer holds is not found). New orders get
/// their ids here, as SQLite would give them (the largest id + 1), because their events need them before the
/// rows are written. The one change that moves a key from one row to another — joining a client-id-only row
/// into the row with the venue id — writes everything pending first and the released row at once, so the
/// unique indexes and the `merged_into` reference hold at every write.
struct IngestBatch {
    private let db: SQLiteConnection
    private let statements: IngestStatements
    private let venues: [String: VenueDescriptor]
    private let source: String
    private let caller: AuditActor?
    private let now: Int64

    /// Rows this batch changed, as they now are, by id; `created` ones are not in the table yet.
    private var rows: [Int64: OrderRow] = [:]
    private var created: Set<Int64> = []
    /// Rows changed since they were last written (every created row among them until it is).
    private var pending: [Int64] = []
    private var isPending: Set<Int64> = []
    /// The keys the changed rows hold now.
    private var byVenueOrderId: [OrderKey: Int64] = [:]
    private var byClientOrderId: [OrderKey: Int64] = [:]
    /// Events stored by this batch (event id → order id), and their rows to write, in batch order.
    private var storedEvents: [String: Int64] = [:]
    private var eventRows: [(event: OrderEvent, orderId: Int64)] = []
    private var nextOrderId: Int64?
    /// Orders leaving one status for another (nil: new / merged away), for the status counts.
    private(set) var statusChanges: [(from: OrderStatus?, to: OrderStatus?)] = []

    struct OrderKey: Hashable {
        var venueId: String
        var account: String
        var id: String
    }

    init(_ db: SQLiteConnection, venues: [String: VenueDescriptor], source: String, caller: AuditActor?, now: Int64, expected: Int) throws {
        self.db = db
        statements = try IngestStatements(db)
        self.venues = venues
        self.source = source
        self.caller = caller
        self.now = now
        storedEvents.reserveCapacity(expected)
        eventRows.reserveCapacity(expected)
    }

    /// Decides one event (the same rules as ever: idempotent by event id, ids joined, terminal states final,
    /// open states only advance, filled never decreases). Nothing is written yet.
    mutating func add(_ event: OrderEvent, index: Int) throws -> IngestResult {
        if let orderId = storedEvents[event.eventId] { return .duplicate(orderId: orderId) }
        let duplicate = statements.duplicate
        duplicate.reset()
        duplicate.bind(1, event.eventId)
        if try duplicate.step() { return .duplicate(orderId: duplicate.int(0)) }

        func reject(_ field: String, _ reason: String) -> IngestResult {
            .rejected(EventError(index: index, field: field, reason: reason))
        }
        var byVenueId: OrderRow?
        if let venueOrderId = event.venueOrderId {
            byVenueId = try find(OrderKey(venueId: event.venueId, account: event.account, id: venueOrderId), byVenueOrderId: true)
        }
        var byClientId: OrderRow?
        if let clientOrderId = event.clientOrderId, byVenueId?.clientOrderId != clientOrderId {
            byClientId = try find(OrderKey(venueId: event.venueId, account: event.account, id: clientOrderId), byVenueOrderId: false)
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

        let result: IngestResult
        if var existing = row {
            let statusBefore = existing.status
            if var other = mergeFrom {
                statusChanges.append((other.status, nil))
                existing.status = existing.status.merging(other.status)
                existing.filled = max(existing.filled, other.filled)
                try writePending()
                let mergeAway = statements.mergeAway
                mergeAway.reset()
                mergeAway.bind(1, existing.id).bind(2, now).bind(3, other.id)
                try mergeAway.run()
                if let released = other.clientOrderId {
                    byClientOrderId[OrderKey(venueId: other.venueId, account: other.account, id: released)] = nil
                }
                other.clientOrderId = nil
                rows[other.id] = other
            }
            let status = existing.status.merging(event.status)
            // Terminal orders keep their last known terms; open ones take the newest terms given.
            let open = !existing.status.isTerminal
            existing.venueOrderId = existing.venueOrderId ?? event.venueOrderId
            existing.clientOrderId = existing.clientOrderId ?? event.clientOrderId ?? mergeFrom?.clientOrderId
            existing.origin = existing.origin ?? event.origin
            existing.side = existing.side ?? event.side?.rawValue
            if open {
                existing.price = event.price?.text ?? existing.price
                existing.quantity = event.quantity?.text ?? existing.quantity
            }
            existing.filled = max(existing.filled, event.filledQuantity ?? .zero)
            existing.status = status
            statusChanges.append((statusBefore, status))
            keep(existing)
            result = .stored(orderId: existing.id, status: status, isNewOrder: false)
        } else {
            let id = try newOrderId()
            created.insert(id)
            keep(OrderRow(
                id: id, venueId: event.venueId, account: event.account, symbol: event.symbol, venueOrderId: event.venueOrderId,
                clientOrderId: event.clientOrderId, origin: event.origin, status: event.status, filled: event.filledQuantity ?? .zero,
                side: event.side?.rawValue, price: event.price?.text, quantity: event.quantity?.text
            ))
            statusChanges.append((nil, event.status))
            result = .stored(orderId: id, status: event.status, isNewOrder: true)
        }
        storedEvents[event.eventId] = result.orderId
        eventRows.append((event, result.orderId!))
        return result
    }

    /// Writes every order the batch changed, then the event rows in batch order (their order ids exist by then).
    mutating func finish() throws {
        try writePending()
        let insert = statements.insertEvent
        let callerUid = caller?.uid.map(Int64.init)
        for (event, orderId) in eventRows {
            insert.reset()
            insert.bind(1, event.eventId).bind(2, orderId).bind(3, source).bind(4, event.venueId).bind(5, event.account)
                .bind(6, event.symbol).bind(7, event.venueOrderId).bind(8, event.clientOrderId).bind(9, event.origin)
                .bind(10, event.status.rawValue).bind(11, event.side?.rawValue).bind(12, event.price?.text).bind(13, event.quantity?.text)
                .bind(14, event.filledQuantity?.text).bind(15, event.time).bind(16, now).bind(17, caller?.name).bind(18, callerUid)
            try insert.run()
        }
        eventRows.removeAll()
    }

    /// The row holding `key` now: this batch's rows first, then the table's. A table row this batch has changed
    /// but that no longer holds the key here is not it; while the only key that moves (a join's client id) is
    /// written at once that cannot happen, and the check keeps a future change from reading a stale row.
    private func find(_ key: OrderKey, byVenueOrderId: Bool) throws -> OrderRow? {
        if let id = (byVenueOrderId ? self.byVenueOrderId : byClientOrderId)[key] { return rows[id] }
        let lookup = byVenueOrderId ? statements.orderByVenueOrderId : statements.orderByClientOrderId
        lookup.reset()
        lookup.bind(1, key.venueId).bind(2, key.account).bind(3, key.id)
        guard try lookup.step() else { return nil }
        let row = IngestStatements.orderRow(lookup)
        return rows[row.id] == nil ? row : nil
    }

    /// Records a row's new state, to be written, and the keys it holds.
    private mutating func keep(_ row: OrderRow) {
        rows[row.id] = row
        if isPending.insert(row.id).inserted { pending.append(row.id) }
        if let id = row.venueOrderId { byVenueOrderId[OrderKey(venueId: row.venueId, account: row.account, id: id)] = row.id }
        if let id = row.clientOrderId { byClientOrderId[OrderKey(venueId: row.venueId, account: row.account, id: id)] = row.id }
    }

    /// As SQLite would number a new row (no AUTOINCREMENT: the largest id + 1), read once per batch.
    private mutating func newOrderId() throws -> Int64 {
        if nextOrderId == nil {
            let max = statements.maxOrderId
            max.reset()
            // Reset once read: a statement left mid-result holds a read snapshot on the connection, which
            // keeps checkpoints from emptying the write-ahead log (and makes a DETACH or checkpoint fail).
            defer { max.reset() }
            nextOrderId = (try max.step() ? max.optionalInt(0) ?? 0 : 0) + 1
        }
        defer { nextOrderId! += 1 }
        return nextOrderId!
    }

    /// Writes the changed rows, in the order they were first changed.
    private mutating func writePending() throws {
        for id in pending {
            guard let row = rows[id] else { continue }
            if created.remove(id) != nil {
                let venue = venues[row.venueId]
                let insert = statements.insertOrder
                insert.reset()
                insert.bind(1, row.id).bind(2, row.venueId).bind(3, row.account).bind(4, row.symbol).bind(5, row.venueOrderId)
                    .bind(6, row.clientOrderId).bind(7, row.origin).bind(8, row.side).bind(9, row.price).bind(10, row.quantity)
                    .bind(11, row.filled.text).bind(12, row.status.rawValue).bind(13, venue?.market.settle).bind(14, venue?.market.productType)
                    .bind(15, venue?.market.marginCoin).bind(16, venue?.contracts[row.symbol]?.multiplier.text).bind(17, now).bind(18, now)
                try insert.run()
            } else {
                let update = statements.updateOrder
                update.reset()
                update.bind(1, row.venueOrderId).bind(2, row.clientOrderId).bind(3, row.origin).bind(4, row.side).bind(5, row.price)
                    .bind(6, row.quantity).bind(7, row.filled.text).bind(8, row.status.rawValue).bind(9, now).bind(10, row.id)
                try update.run()
            }
        }
        pending.removeAll(keepingCapacity: true)
        isPending.removeAll(keepingCapacity: true)
    }
}
