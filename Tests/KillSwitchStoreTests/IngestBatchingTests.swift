import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchStore

/// `Store.ingest` decides a batch's events in memory and writes each touched order once (`IngestBatch`). These
/// tests hold it to the per-event write-through it replaced (kept below as `LegacyIngest`, the code as it was):
/// the same random streams — ids that collide, client-id-only rows joined later, conflicting ids, duplicates
/// inside and across batches, terminal and late states — cut into batches at random, must give the same
/// answers and leave the same rows, column for column, in `orders` and `order_events`.
@Suite struct IngestBatchingTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8])
    func batchedIngestMatchesEventByEventWriteThrough(seed: UInt64) async throws {
        var random = SplitMix64(seed: seed)
        let stream = Self.stream(count: 700, random: &random)
        var batches: [[Result<OrderEvent, EventError>]] = []
        var rest = stream[...]
        while !rest.isEmpty {
            let size = [1, 2, 5, 40, 300][Int(random.next() % 5)]
            batches.append(Array(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        var answers: [IngestResult] = []
        for batch in batches { answers += try await store.ingest(batch, caller: AuditActor(name: "bot7", uid: 1001)) }

        // The reference database: same migrations and venues (a store opened it once), same connection settings.
        _ = try Store(options: StoreOptions(path: dir.file("reference.db")), venues: Fixtures.venues, clock: WallClock { 1_700_000_000_000 })
        let reference = try SQLiteConnection(path: dir.file("reference.db"))
        try Store.configure(reference, options: StoreOptions(path: dir.file("reference.db")))
        var expected: [IngestResult] = []
        for batch in batches {
            expected += try LegacyIngest(db: reference, venues: Fixtures.venues).ingest(batch, caller: AuditActor(name: "bot7", uid: 1001))
        }
        #expect(answers == expected)
        // The stream exercises what it should (else the comparison proves little).
        #expect(answers.contains { if case .duplicate = $0 { true } else { false } })
        #expect(answers.contains { if case .rejected(let e) = $0 { e.field == "clientOrderId" && e.reason.contains("already belongs") } else { false } })
        #expect(answers.contains { if case .rejected(let e) = $0 { e.field == "symbol" } else { false } })

        let db = try SQLiteConnection(path: dir.file("ks.db"), mode: .readOnly)
        for table in ["orders", "order_events"] {
            let mine = try db.prepare("SELECT * FROM \(table) ORDER BY 1").rows()
            let theirs = try reference.prepare("SELECT * FROM \(table) ORDER BY 1").rows()
            #expect(mine == theirs, "\(table) differs")
            #expect(!mine.isEmpty)
        }
        #expect(try db.scalarInt("SELECT count(*) FROM orders WHERE merged_into IS NOT NULL") ?? 0 > 0, "no join happened")
        // The status counts the metrics read follow the rows.
        let counted = try OrderStatusCounts.count(db)
        #expect(store.orderStatusCounts.snapshot == Dictionary(uniqueKeysWithValues: OrderStatus.allCases.map { ($0, counted[$0] ?? 0) }))
    }

    /// An ingest leaves no statement mid-result on the writer: one would hold a read snapshot, and a checkpoint
    /// (the daemon's, or `audit archive`'s) could no longer empty the write-ahead log.
    @Test func anIngestLeavesNothingThatHoldsTheLogOpen() async throws {
        var random = SplitMix64(seed: 11)
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        _ = try await store.ingest(Self.stream(count: 50, random: &random), caller: AuditActor(name: "bot7", uid: 1001))
        let other = try SQLiteConnection(path: dir.file("ks.db"))
        let row = try #require(try other.prepare("PRAGMA wal_checkpoint(TRUNCATE)").rows().first)
        #expect(row[0].intValue == 0, "the checkpoint was blocked by a reader (busy = \(row[0]))")
    }

    /// Events over a few venue and client ids, so they collide: creations, updates, joins, conflicts, repeats.
    static func stream(count: Int, random: inout SplitMix64) -> [Result<OrderEvent, EventError>] {
        var out: [Result<OrderEvent, EventError>] = []
        let statuses = OrderStatus.allCases
        for n in 0..<count {
            func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
            let roll = random.next() % 100
            if roll < 3 {
                out.append(.failure(EventError(index: n, field: "price", reason: "\"x\" is not a decimal number")))
                continue
            }
            // A repeated event id (sometimes with other content): a duplicate, whatever it says.
            let eventId = roll < 10 && n > 0 ? "ev-\(random.next() % UInt64(n))" : "ev-\(n)"
            let venueOrderId: String? = pick(["1", "2", "3", "4", "5", "6", nil, nil])
            var clientOrderId: String? = pick(["c1", "c2", "c3", "c4", "c5", "c6", nil, nil, nil])
            if venueOrderId == nil && clientOrderId == nil { clientOrderId = "c7" }
            let venue = pick(["binance-main", "binance-main", "gate-fut"])
            let symbol = venue == "gate-fut" ? "BTC_USDT" : pick(["BTCUSD_PERP", "BTCUSD_PERP", "BTCUSD_PERP", "ETHUSD_PERP"])
            let origin: String? = venueOrderId != nil && roll % 11 == 0 ? pick(["web", "api"]) : nil
            out.append(.success(OrderEvent(
                eventId: eventId, venueId: venue, account: Fixtures.venues.first { $0.id == venue }!.account, symbol: symbol,
                venueOrderId: venueOrderId, clientOrderId: origin == nil ? clientOrderId : nil, origin: origin, status: pick(statuses),
                side: pick([.buy, .sell, nil]), price: pick([DecimalAmount("100"), DecimalAmount("101.5"), nil]),
                quantity: pick([DecimalAmount("10"), nil]), filledQuantity: pick([DecimalAmount("0"), DecimalAmount("2.5"), DecimalAmount("10"), nil]),
                time: 1_700_000_000_000 + Int64(n)
            )))
        }
        return out
    }
}

/// The per-event write-through `Store.ingest` used until the batched path (commit 2f4f561), verbatim but for
/// the status counts: the reference the batched path must agree with.
struct LegacyIngest {
    let db: SQLiteConnection
    let venues: [String: VenueDescriptor]
    let now: Int64 = 1_700_000_000_000

    init(db: SQLiteConnection, venues: [VenueDescriptor]) {
        self.db = db
        self.venues = Dictionary(venues.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    struct Row {
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

    func ingest(_ events: [Result<OrderEvent, EventError>], source: String = "client", caller: AuditActor? = nil) throws -> [IngestResult] {
        try db.transaction {
            try events.enumerated().map { index, item in
                switch item {
                case .failure(let error): return .rejected(error)
                case .success(let event): return try ingestOne(event, index: index, source: source, caller: caller)
                }
            }
        }
    }

    private func ingestOne(_ event: OrderEvent, index: Int, source: String, caller: AuditActor?) throws -> IngestResult {
        let duplicate = try db.cached("SELECT order_id FROM order_events WHERE event_id = ?").bind(1, event.eventId)
        if try duplicate.step() { return .duplicate(orderId: duplicate.int(0)) }

        func reject(_ field: String, _ reason: String) -> IngestResult {
            .rejected(EventError(index: index, field: field, reason: reason))
        }
        var byVenueId: Row?
        if let venueOrderId = event.venueOrderId {
            byVenueId = try findOrder(event, column: "venue_order_id", value: venueOrderId)
        }
        var byClientId: Row?
        if let clientOrderId = event.clientOrderId, byVenueId?.clientOrderId != clientOrderId {
            byClientId = try findOrder(event, column: "client_order_id", value: clientOrderId)
        }
        var row = byVenueId ?? byClientId
        var mergeFrom: Row?
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
            if let other = mergeFrom {
                existing.status = existing.status.merging(other.status)
                existing.filled = max(existing.filled, other.filled)
                try db.cached("UPDATE orders SET client_order_id = NULL, merged_into = ?, updated_at = ? WHERE id = ?")
                    .bind([.integer(existing.id), .integer(now), .integer(other.id)]).run()
            }
            status = existing.status.merging(event.status)
            let filled = max(existing.filled, event.filledQuantity ?? .zero)
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

    private func findOrder(_ event: OrderEvent, column: String, value: String) throws -> Row? {
        let statement = try db.cached("""
            SELECT id, symbol, venue_order_id, client_order_id, status, filled_quantity, side, price, quantity
            FROM orders WHERE venue_id = ? AND account = ? AND \(column) = ?
            """).bind([.text(event.venueId), .text(event.account), .text(value)])
        guard try statement.step() else { return nil }
        return Row(
            id: statement.int(0), symbol: statement.text(1) ?? "", venueOrderId: statement.text(2), clientOrderId: statement.text(3),
            status: OrderStatus(rawValue: statement.text(4) ?? "") ?? .new, filled: DecimalAmount(statement.text(5) ?? "0") ?? .zero,
            side: statement.text(6), price: statement.text(7), quantity: statement.text(8)
        )
    }
}
