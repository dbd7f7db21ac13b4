import CSQLite
import Foundation
import KillSwitchCore
import KillSwitchStore

// Ingest throughput: `Store.ingest` (validation done, idempotency check, client/venue id join, status merge,
// order upsert, append-only event row) in batches of 1,000 events, one transaction per batch, WAL +
// synchronous=NORMAL — against what SQLite itself allows for the same rows on this machine.
//
// The bound: every event's statements as bare prepared statements through the C API (the idempotency
// lookup by event id, the order lookup by venue id — and by client id for a new order that has one —, the
// order INSERT or UPDATE with every column the store writes, the event row with every column), in the same
// batches and transactions, on a fresh file no store has opened, whose schema is the embedded migrations run
// as plain SQL. Measured twice: with every index, and without the indexes this write path never reads
// (`orders_open`, `order_events_by_order`, `order_events_by_received`; the three it looks up by stay).
//
// Each run also reports CPU time per event (the whole process; the store's thread included): on a 2-core
// machine shared with other builds, wall time measures the neighbours too.
//
//   swift run -c release IngestBenchmark [batches] [--sqlite-defaults]
//
// `--sqlite-defaults` initialises SQLite before the store opens, so the store's process-wide setting
// (`SQLiteConnection.configureProcess`: page-cache memory on demand) cannot apply: the figures SQLite's
// defaults give, for comparison.

let arguments = CommandLine.arguments.dropFirst()
let batches = arguments.lazy.compactMap { Int($0) }.first ?? 200
let sqliteDefaults = arguments.contains("--sqlite-defaults")
if sqliteDefaults { sqlite3_initialize() }
let batchSize = 1_000
let venue = VenueDescriptor(id: "binance-main", kind: .binanceCoinM, account: "main", baseURL: "http://127.0.0.1:1", market: VenueMarket())

/// Half the events open new orders (with a client id), half update orders opened shortly before
/// (acknowledged / partial fill / fill) — usually in the same batch, as a bot's batch of recent events is.
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

/// Process CPU time (user + system), every thread.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

struct Run {
    var wall: Double
    var cpu: Double
}

func measure(_ body: () async throws -> Void) async rethrows -> Run {
    let clock = ContinuousClock()
    let cpuStart = cpuSeconds()
    let start = clock.now
    try await body()
    return Run(wall: start.duration(to: clock.now).seconds, cpu: cpuSeconds() - cpuStart)
}

/// The bound: bare C API, every statement the store needs per event, fresh file, same schema.
func runBound(_ events: [[OrderEvent]], withReadOnlyIndexes: Bool) throws -> Run {
    let path = freshPath("bound")
    var handle: OpaquePointer?
    guard sqlite3_open(path, &handle) == SQLITE_OK, let db = handle else { fatalError("cannot open \(path)") }
    defer { sqlite3_close(db) }
    func exec(_ sql: String) {
        var error: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(db, sql, nil, nil, &error) == SQLITE_OK else { fatalError("\(String(cString: error!)) in \(sql.prefix(120))") }
    }
    func prepare(_ sql: String) -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK, let statement else {
            fatalError(String(cString: sqlite3_errmsg(db)))
        }
        return statement
    }
    exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON")
    exec("BEGIN")
    for migration in try Migration.embedded() { exec(migration.sql) }
    exec("INSERT INTO venues (id, kind, account, base_url, first_seen_at, updated_at) VALUES ('binance-main', 'binance-coinm', 'main', 'http://127.0.0.1:1', 0, 0)")
    exec("INSERT INTO accounts (venue_id, account) VALUES ('binance-main', 'main')")
    exec("COMMIT")
    if !withReadOnlyIndexes { exec("DROP INDEX orders_open; DROP INDEX order_events_by_order; DROP INDEX order_events_by_received") }

    let duplicate = prepare("SELECT order_id FROM order_events WHERE event_id = ?")
    let byVenueId = prepare("SELECT id, symbol, venue_order_id, client_order_id, status, filled_quantity, side, price, quantity FROM orders WHERE venue_id = ? AND account = ? AND venue_order_id = ?")
    let byClientId = prepare("SELECT id, symbol, venue_order_id, client_order_id, status, filled_quantity, side, price, quantity FROM orders WHERE venue_id = ? AND account = ? AND client_order_id = ?")
    let insertOrder = prepare("""
        INSERT INTO orders (venue_id, account, symbol, venue_order_id, client_order_id, origin, side, price, quantity,
            filled_quantity, status, settle, product_type, margin_coin, contract_multiplier, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """)
    let updateOrder = prepare("""
        UPDATE orders SET venue_order_id = ?, client_order_id = ?, origin = coalesce(origin, ?), side = ?, price = ?, quantity = ?,
            filled_quantity = ?, status = ?, updated_at = ? WHERE id = ?
        """)
    let insertEvent = prepare("""
        INSERT INTO order_events (event_id, order_id, source, venue_id, account, symbol, venue_order_id, client_order_id, origin,
            status, side, price, quantity, filled_quantity, event_time, received_at, caller, caller_uid)
        VALUES (?, ?, 'client', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)
        """)
    defer { for s in [duplicate, byVenueId, byClientId, insertOrder, updateOrder, insertEvent] { sqlite3_finalize(s) } }
    let transient = csqlite_transient()
    func text(_ s: OpaquePointer, _ i: Int32, _ v: String?) {
        if let v { sqlite3_bind_text(s, i, v, -1, transient) } else { sqlite3_bind_null(s, i) }
    }
    func step(_ s: OpaquePointer) -> Bool {
        let rc = sqlite3_step(s)
        guard rc == SQLITE_ROW || rc == SQLITE_DONE else { fatalError(String(cString: sqlite3_errmsg(db))) }
        return rc == SQLITE_ROW
    }
    return try measureSync {
        for batch in events {
            exec("BEGIN IMMEDIATE")
            for e in batch {
                sqlite3_reset(duplicate)
                text(duplicate, 1, e.eventId)
                guard !step(duplicate) else { fatalError("duplicate \(e.eventId)") }
                var orderId: Int64?
                for (lookup, value) in [(byVenueId, e.venueOrderId), (byClientId, e.clientOrderId)] where orderId == nil {
                    guard let value else { continue }
                    sqlite3_reset(lookup)
                    text(lookup, 1, e.venueId); text(lookup, 2, e.account); text(lookup, 3, value)
                    if step(lookup) { orderId = sqlite3_column_int64(lookup, 0) }
                    sqlite3_reset(lookup)
                }
                let filled = (e.filledQuantity ?? .zero).text
                if let id = orderId {
                    sqlite3_reset(updateOrder)
                    text(updateOrder, 1, e.venueOrderId); text(updateOrder, 2, e.clientOrderId); text(updateOrder, 3, nil)
                    text(updateOrder, 4, e.side?.rawValue); text(updateOrder, 5, e.price?.text); text(updateOrder, 6, e.quantity?.text)
                    text(updateOrder, 7, filled); text(updateOrder, 8, e.status.rawValue)
                    sqlite3_bind_int64(updateOrder, 9, 1); sqlite3_bind_int64(updateOrder, 10, id)
                    _ = step(updateOrder)
                } else {
                    sqlite3_reset(insertOrder)
                    text(insertOrder, 1, e.venueId); text(insertOrder, 2, e.account); text(insertOrder, 3, e.symbol)
                    text(insertOrder, 4, e.venueOrderId); text(insertOrder, 5, e.clientOrderId); text(insertOrder, 6, nil)
                    text(insertOrder, 7, e.side?.rawValue); text(insertOrder, 8, e.price?.text); text(insertOrder, 9, e.quantity?.text)
                    text(insertOrder, 10, filled); text(insertOrder, 11, e.status.rawValue)
                    for i: Int32 in 12...15 { sqlite3_bind_null(insertOrder, i) }
                    sqlite3_bind_int64(insertOrder, 16, 1); sqlite3_bind_int64(insertOrder, 17, 1)
                    _ = step(insertOrder)
                    orderId = sqlite3_last_insert_rowid(db)
                }
                sqlite3_reset(insertEvent)
                text(insertEvent, 1, e.eventId); sqlite3_bind_int64(insertEvent, 2, orderId!)
                text(insertEvent, 3, e.venueId); text(insertEvent, 4, e.account); text(insertEvent, 5, e.symbol)
                text(insertEvent, 6, e.venueOrderId); text(insertEvent, 7, e.clientOrderId); text(insertEvent, 8, nil)
                text(insertEvent, 9, e.status.rawValue); text(insertEvent, 10, e.side?.rawValue); text(insertEvent, 11, e.price?.text)
                text(insertEvent, 12, e.quantity?.text); text(insertEvent, 13, e.filledQuantity?.text)
                if let time = e.time { sqlite3_bind_int64(insertEvent, 14, time) } else { sqlite3_bind_null(insertEvent, 14) }
                sqlite3_bind_int64(insertEvent, 15, 1)
                _ = step(insertEvent)
            }
            exec("COMMIT")
        }
    }
}

func measureSync(_ body: () throws -> Void) throws -> Run {
    let clock = ContinuousClock()
    let cpuStart = cpuSeconds()
    let start = clock.now
    try body()
    return Run(wall: start.duration(to: clock.now).seconds, cpu: cpuSeconds() - cpuStart)
}

func runStore(_ events: [[OrderEvent]]) async throws -> Run {
    let store = try Store(options: StoreOptions(path: freshPath("store"), synchronous: .normal), venues: [venue])
    return try await measure {
        for batch in events {
            let results = try await store.ingest(batch)
            precondition(results.count == batch.count)
            if case .rejected(let error) = results.first(where: { if case .rejected = $0 { true } else { false } }) { fatalError("\(error)") }
        }
    }
}

let events = makeEvents()
let total = Double(batches * batchSize)
// Warm every path once (page cache, allocator), then measure in turn, best of three each.
_ = try runBound(Array(events.prefix(5)), withReadOnlyIndexes: true)
_ = try await runStore(Array(events.prefix(5)))
var best: [String: Run] = [:]
for _ in 0..<3 {
    for (name, run) in [("store", try await runStore(events)), ("bound", try runBound(events, withReadOnlyIndexes: true)),
                        ("lean", try runBound(events, withReadOnlyIndexes: false))] where best[name].map({ run.wall < $0.wall }) ?? true {
        best[name] = run
    }
}
func line(_ label: String, _ run: Run) -> String {
    String(format: "  %@ %8.0f events/s  (%7.1f ms; CPU %5.1f µs/event = %7.0f events per CPU-second)",
           label, total / run.wall, run.wall * 1_000, run.cpu / total * 1e6, total / run.cpu)
}
let store = best["store"]!, bound = best["bound"]!, lean = best["lean"]!
var load = [Double](repeating: 0, count: 3)
getloadavg(&load, 3)
print("ingest: \(Int(total)) events in batches of \(batchSize), WAL, synchronous=NORMAL, best of 3\(sqliteDefaults ? ", SQLite defaults (no page-cache setting)" : ""); load average \(String(format: "%.2f", load[0]))")
print(line("store (Store.ingest):                        ", store))
print(line("bound (bare C API, same statements):         ", bound))
print(line("bound without the indexes ingest never reads:", lean))
print(String(format: "  ratio store/bound:  %.2f (wall), %.2f (CPU)   targets: >= 0.50, and >= 100000 events/s", bound.wall / store.wall, bound.cpu / store.cpu))
