import CSQLite
import Foundation
import KillSwitchCore
import KillSwitchStore

// Ingest throughput: `Store.ingest` (validation done, idempotency check, client/venue id join, status
// merge, order upsert, append-only event row) in batches of 1,000 events, one transaction per batch,
// WAL + synchronous=NORMAL — against the bound: the same writes (event row plus order upsert into the
// same schema and indexes) as bare prepared statements through the C API, in the same batches.

let batches = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 200
let batchSize = 1_000
let venue = VenueDescriptor(id: "binance-main", kind: .binanceCoinM, account: "main", baseURL: "http://127.0.0.1:1", market: VenueMarket())

/// Half the events open new orders, half update orders opened earlier (acknowledged / partial fill / fill).
func makeEvents() -> [[OrderEvent]] {
    var out: [[OrderEvent]] = []
    var nextOrder = 0
    for b in 0..<batches {
        var batch: [OrderEvent] = []
        batch.reserveCapacity(batchSize)
        for i in 0..<batchSize {
            let n = b * batchSize + i
            let isNew = n % 2 == 0 || nextOrder < 10
            let orderNumber = isNew ? nextOrder : (nextOrder - 1 - (n % 7))
            if isNew { nextOrder += 1 }
            let status: OrderStatus = isNew ? .new : [.acknowledged, .partiallyFilled, .filled][n % 3]
            batch.append(OrderEvent(
                eventId: "e-\(n)", venueId: "binance-main", account: "main", symbol: "BTCUSD_PERP",
                venueOrderId: String(1_000_000 + orderNumber), clientOrderId: isNew ? "c-\(orderNumber)" : nil, status: status,
                side: .buy, price: DecimalAmount("64250.5"), quantity: DecimalAmount("10"),
                filledQuantity: status == .partiallyFilled ? DecimalAmount("3") : status == .filled ? DecimalAmount("10") : nil,
                time: 1_764_065_700_123
            ))
        }
        out.append(batch)
    }
    return out
}

func freshPath(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "ks-bench-\(name)-\(getpid()).db"
    for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
    return path
}

func seconds(_ d: Duration) -> Double { d.seconds }

/// The bound: bare C API prepared statements, same schema (created by the store's own migrations).
func runBound(_ events: [[OrderEvent]]) throws -> Duration {
    let path = freshPath("bound")
    _ = try Store(options: StoreOptions(path: path), venues: [venue])
    var db: OpaquePointer?
    sqlite3_open(path, &db)
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON", nil, nil, nil)
    var upsert: OpaquePointer?, insertEvent: OpaquePointer?
    sqlite3_prepare_v2(db, """
        INSERT INTO orders (venue_id, account, symbol, venue_order_id, client_order_id, side, price, quantity, filled_quantity, status, created_at, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
        ON CONFLICT (venue_id, account, venue_order_id) WHERE venue_order_id IS NOT NULL
        DO UPDATE SET status = excluded.status, filled_quantity = excluded.filled_quantity, updated_at = excluded.updated_at
        RETURNING id
        """, -1, &upsert, nil)
    sqlite3_prepare_v2(db, """
        INSERT INTO order_events (event_id, order_id, source, venue_id, account, symbol, venue_order_id, client_order_id,
            status, side, price, quantity, filled_quantity, event_time, received_at)
        VALUES (?, ?, 'client', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """, -1, &insertEvent, nil)
    let t = csqlite_transient()
    func text(_ s: OpaquePointer?, _ i: Int32, _ v: String?) {
        if let v { sqlite3_bind_text(s, i, v, -1, t) } else { sqlite3_bind_null(s, i) }
    }
    let clock = ContinuousClock()
    let start = clock.now
    for batch in events {
        sqlite3_exec(db, "BEGIN IMMEDIATE", nil, nil, nil)
        for e in batch {
            sqlite3_reset(upsert)
            text(upsert, 1, e.venueId); text(upsert, 2, e.account); text(upsert, 3, e.symbol)
            text(upsert, 4, e.venueOrderId); text(upsert, 5, e.clientOrderId); text(upsert, 6, e.side?.rawValue)
            text(upsert, 7, e.price?.text); text(upsert, 8, e.quantity?.text); text(upsert, 9, (e.filledQuantity ?? .zero).text)
            text(upsert, 10, e.status.rawValue); sqlite3_bind_int64(upsert, 11, 1)
            guard sqlite3_step(upsert) == SQLITE_ROW else { fatalError(String(cString: sqlite3_errmsg(db))) }
            let orderId = sqlite3_column_int64(upsert, 0)
            sqlite3_reset(upsert)
            sqlite3_reset(insertEvent)
            text(insertEvent, 1, e.eventId); sqlite3_bind_int64(insertEvent, 2, orderId)
            text(insertEvent, 3, e.venueId); text(insertEvent, 4, e.account); text(insertEvent, 5, e.symbol)
            text(insertEvent, 6, e.venueOrderId); text(insertEvent, 7, e.clientOrderId); text(insertEvent, 8, e.status.rawValue)
            text(insertEvent, 9, e.side?.rawValue); text(insertEvent, 10, e.price?.text); text(insertEvent, 11, e.quantity?.text)
            text(insertEvent, 12, e.filledQuantity?.text)
            sqlite3_bind_int64(insertEvent, 13, e.time ?? 0); sqlite3_bind_int64(insertEvent, 14, 1)
            guard sqlite3_step(insertEvent) == SQLITE_DONE else { fatalError(String(cString: sqlite3_errmsg(db))) }
        }
        guard sqlite3_exec(db, "COMMIT", nil, nil, nil) == SQLITE_OK else { fatalError(String(cString: sqlite3_errmsg(db))) }
    }
    let elapsed = start.duration(to: clock.now)
    sqlite3_finalize(upsert); sqlite3_finalize(insertEvent); sqlite3_close(db)
    return elapsed
}

func runStore(_ events: [[OrderEvent]]) async throws -> Duration {
    let store = try Store(options: StoreOptions(path: freshPath("store"), synchronous: .normal), venues: [venue])
    let clock = ContinuousClock()
    let start = clock.now
    for batch in events {
        let results = try await store.ingest(batch)
        precondition(results.count == batch.count)
    }
    return start.duration(to: clock.now)
}

let events = makeEvents()
let total = Double(batches * batchSize)
// Warm both paths once (page cache, allocator), then measure alternately, best of three each.
_ = try runBound(Array(events.prefix(5)))
_ = try await runStore(Array(events.prefix(5)))
var boundBest = Double.infinity, storeBest = Double.infinity
for _ in 0..<3 {
    boundBest = min(boundBest, seconds(try runBound(events)))
    storeBest = min(storeBest, seconds(try await runStore(events)))
}
let storeRate = total / storeBest, boundRate = total / boundBest
print("ingest: \(Int(total)) events in batches of \(batchSize), WAL, synchronous=NORMAL (best of 3)")
print(String(format: "  store (Store.ingest):             %10.0f events/s  (%.1f ms)", storeRate, storeBest * 1_000))
print(String(format: "  bound (bare C API, same writes):  %10.0f events/s  (%.1f ms)", boundRate, boundBest * 1_000))
print(String(format: "  ratio store/bound:                %10.2f  (target >= 0.50, and >= 100000 events/s)", storeRate / boundRate))
