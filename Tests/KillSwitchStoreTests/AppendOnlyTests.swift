import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchStore

@Suite struct AppendOnlyTests {
    /// Fills one row into every append-only table, then tries to change and remove each.
    static func seeded() throws -> (TemporaryDirectory, SQLiteConnection) {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        _ = store
        let db = try SQLiteConnection(path: dir.file("ks.db"))
        try db.execute("PRAGMA foreign_keys = ON")
        try db.execute("""
            INSERT INTO orders (id, venue_id, account, symbol, venue_order_id, status, created_at, updated_at)
                VALUES (1, 'binance-main', 'main', 'BTCUSD_PERP', '1', 'new', 0, 0);
            INSERT INTO order_events (event_id, order_id, venue_id, account, symbol, status, received_at)
                VALUES ('e1', 1, 'binance-main', 'main', 'BTCUSD_PERP', 'new', 0);
            INSERT INTO incidents (id, reason, state, tripped_at) VALUES (1, 'test', 'running', 0);
            INSERT INTO cancel_intents (id, incident_id, attempt, venue_id, account, kind, order_ids, wire_ids, sent_at)
                VALUES (1, 1, 1, 'binance-main', 'main', 'batch-cancel', '[1]', '["1"]', 0);
            INSERT INTO cancel_responses (intent_id, answered_at, http_status, latency_us, raw_body) VALUES (1, 0, 200, 5, '[]');
            INSERT INTO cancel_outcomes (intent_id, incident_id, order_id, attempt, outcome, recorded_at) VALUES (1, 1, 1, 1, 'cancelled', 0);
            INSERT INTO audit_events (at, kind, incident_id, detail) VALUES (0, 'trip', 1, '{}');
            """)
        return (dir, db)
    }

    @Test(arguments: ["order_events", "cancel_intents", "cancel_responses", "cancel_outcomes", "audit_events"])
    func updateIsRejected(table: String) throws {
        let (dir, db) = try Self.seeded()
        _ = dir
        #expect(try db.scalarInt("SELECT count(*) FROM \(table)") == 1)
        do {
            try db.execute("UPDATE \(table) SET rowid = rowid")
            Issue.record("UPDATE on \(table) must be rejected")
        } catch let error as SQLiteError {
            #expect(error.message.contains("\(table) is append-only"))
        }
    }

    @Test(arguments: ["order_events", "cancel_intents", "cancel_responses", "cancel_outcomes", "audit_events"])
    func deleteIsRejected(table: String) throws {
        let (dir, db) = try Self.seeded()
        _ = dir
        do {
            try db.execute("DELETE FROM \(table)")
            Issue.record("DELETE on \(table) must be rejected")
        } catch let error as SQLiteError {
            #expect(error.message.contains("\(table) is append-only"))
        }
        #expect(try db.scalarInt("SELECT count(*) FROM \(table)") == 1)
    }

    @Test func mutableTablesStayMutable() throws {
        let (dir, db) = try Self.seeded()
        _ = dir
        try db.execute("UPDATE orders SET status = 'cancelled' WHERE id = 1")
        try db.execute("UPDATE incidents SET state = 'flat' WHERE id = 1")
        #expect(try db.scalarText("SELECT status FROM orders WHERE id = 1") == "cancelled")
    }
}
