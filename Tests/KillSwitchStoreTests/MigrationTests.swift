import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchStore

@Suite struct MigrationTests {
    @Test func freshDatabaseGetsEveryEmbeddedMigration() throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let migrations = try Migration.embedded()
        #expect(!migrations.isEmpty)
        #expect(migrations.first?.name == "0001_initial_schema.sql")
        let plan = try StoreReader(path: dir.file("ks.db")).migrationPlan(migrations)
        #expect(plan.applied.map(\.name) == migrations.map(\.name))
        #expect(plan.pending.isEmpty)
        _ = store
    }

    @Test func embeddedMigrationHashesTheSourceFile() throws {
        // The files in Migrations/ are the source of truth: each one's SHA-256 must be what the binary records.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("Migrations")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(names.starts(with: ["0001_initial_schema.sql", "0002_caller_identity.sql"]))
        #expect(try Migration.embedded().map(\.name) == names)
        for name in names {
            let fromDisk = try Migration(name: name, contents: Data(contentsOf: folder.appendingPathComponent(name)))
            let embedded = try #require(try Migration.embedded().first { $0.name == fromDisk.name })
            #expect(embedded.sha256 == fromDisk.sha256, "\(name)")
            #expect(embedded.sql == fromDisk.sql, "\(name)")
        }
    }

    @Test func rerunIsANoOp() throws {
        let dir = TemporaryDirectory()
        let db = try SQLiteConnection(path: dir.file("m.db"))
        let migrator = try Migrator(migrations: Migration.embedded())
        let first = try migrator.migrate(db, now: 1)
        #expect(first.count == migrator.migrations.count)
        let second = try migrator.migrate(db, now: 2)
        #expect(second.isEmpty)
        #expect(try db.scalarInt("SELECT count(*) FROM schema_migrations") == Int64(migrator.migrations.count))
        #expect(try db.scalarInt("SELECT min(applied_at) FROM schema_migrations") == 1)
    }

    @Test func appliesInOrderEachInItsOwnTransaction() throws {
        let dir = TemporaryDirectory()
        let db = try SQLiteConnection(path: dir.file("m.db"))
        let one = try Migration(name: "0001_a.sql", contents: Data("CREATE TABLE a (x INTEGER);".utf8))
        let two = try Migration(name: "0002_b.sql", contents: Data("INSERT INTO a VALUES (1); CREATE TABLE b (y INTEGR) STRICT;".utf8))
        let migrator = try Migrator(migrations: [two, one])
        #expect(throws: MigrationError.self) { try migrator.migrate(db, now: 1) }
        // 0001 committed; 0002 rolled back entirely (its INSERT is gone too).
        #expect(try db.scalarInt("SELECT count(*) FROM schema_migrations") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM a") == 0)
    }

    @Test func changedFileIsRefusedNamingIt() throws {
        let dir = TemporaryDirectory()
        let db = try SQLiteConnection(path: dir.file("m.db"))
        let original = try Migration(name: "0001_a.sql", contents: Data("CREATE TABLE a (x INTEGER);".utf8))
        try Migrator(migrations: [original]).migrate(db, now: 1)
        let tampered = try Migration(name: "0001_a.sql", contents: Data("CREATE TABLE a (x INTEGER, y TEXT);".utf8))
        do {
            try Migrator(migrations: [tampered]).migrate(db, now: 2)
            Issue.record("a changed migration must be refused")
        } catch let error as MigrationError {
            guard case .changed(let name, let recorded, let current) = error else { Issue.record("wrong error \(error)"); return }
            #expect(name == "0001_a.sql")
            #expect(recorded == original.sha256)
            #expect(current == tampered.sha256)
            #expect(error.description.contains("0001_a.sql"))
        }
    }

    @Test func disappearedFileIsRefusedNamingIt() throws {
        let dir = TemporaryDirectory()
        let db = try SQLiteConnection(path: dir.file("m.db"))
        let one = try Migration(name: "0001_a.sql", contents: Data("CREATE TABLE a (x INTEGER);".utf8))
        let two = try Migration(name: "0002_b.sql", contents: Data("CREATE TABLE b (x INTEGER);".utf8))
        try Migrator(migrations: [one, two]).migrate(db, now: 1)
        #expect(throws: MigrationError.disappeared(name: "0002_b.sql")) { try Migrator(migrations: [one]).migrate(db, now: 2) }
    }

    @Test func storeOpensInWALWithForeignKeys() throws {
        let dir = TemporaryDirectory()
        _ = try Fixtures.store(dir)
        let db = try SQLiteConnection(path: dir.file("ks.db"))
        #expect(try db.scalarText("PRAGMA journal_mode")?.lowercased() == "wal")
        #expect(try db.scalarInt("SELECT count(*) FROM venues") == 3)
        #expect(try db.scalarInt("SELECT count(*) FROM contracts WHERE venue_id = 'binance-main' AND multiplier = '100' AND inverse = 1") == 1)
    }

    // MARK: Migration 0006 (a table others reference, rebuilt with foreign keys off)

    @Test func shadowStateMigrationKeepsIncidentsAndTheirReferencesAndAllowsShadow() throws {
        let dir = TemporaryDirectory()
        let db = try SQLiteConnection(path: dir.file("m.db"))
        try db.execute("PRAGMA foreign_keys = ON")
        let all = try Migration.embedded()
        let before = all.filter { $0.version < 6 }
        #expect(all.first { $0.version == 6 }?.foreignKeysOff == true)
        _ = try Migrator(migrations: before).migrate(db, now: 1)
        try db.execute("""
            INSERT INTO incidents (id, reason, state, tripped_at, rearmed_at, journal_key) VALUES (7, 'drill', 'flat', 10, NULL, 'j-1'), (8, 'old', 'incomplete', 5, 6, NULL);
            INSERT INTO cancel_intents (incident_id, attempt, venue_id, account, kind, order_ids, wire_ids, sent_at) VALUES (7, 1, 'v', 'main', 'batch-cancel', '[]', '[]', 11);
            """)
        #expect(throws: SQLiteError.self) { try db.execute("UPDATE incidents SET state = 'shadow' WHERE id = 7") }

        #expect(try Migrator(migrations: all.filter { $0.version <= 6 }).migrate(db, now: 2) == ["0006_shadow_mode.sql"])
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1, "foreign keys back on after the migration")
        #expect(try db.scalarText("SELECT group_concat(id || ':' || state || ':' || coalesce(journal_key, '-'), ',') FROM incidents ORDER BY id") == "7:flat:j-1,8:incomplete:-")
        #expect(try db.scalarInt("SELECT count(*) FROM incidents WHERE rearmed_at IS NULL") == 1)
        try db.execute("UPDATE incidents SET state = 'shadow' WHERE id = 7")
        #expect(throws: SQLiteError.self) { try db.execute("UPDATE incidents SET state = 'bogus' WHERE id = 7") }
        // The intent still points at its incident, and the reference is still enforced.
        #expect(try db.scalarInt("SELECT count(*) FROM pragma_foreign_key_check") == 0)
        #expect(throws: SQLiteError.self) {
            try db.execute("INSERT INTO cancel_intents (incident_id, attempt, venue_id, account, kind, order_ids, wire_ids, sent_at) VALUES (99, 1, 'v', 'main', 'x', '[]', '[]', 1)")
        }
    }

    // MARK: Migration 0007 (cancel_outcomes rebuilt for closedAfterCancelAll)

    @Test func closedAfterCancelAllMigrationKeepsOutcomesAndStaysAppendOnly() throws {
        let dir = TemporaryDirectory()
        let db = try SQLiteConnection(path: dir.file("m.db"))
        try db.execute("PRAGMA foreign_keys = ON")
        let all = try Migration.embedded()
        _ = try Migrator(migrations: all.filter { $0.version < 7 }).migrate(db, now: 1)
        try db.execute("""
            INSERT INTO incidents (id, reason, state, tripped_at) VALUES (7, 'drill', 'flat', 10);
            INSERT INTO venues (id, kind, account, base_url, first_seen_at, updated_at) VALUES ('v', 'gate-spot', 'main', 'http://x', 1, 1);
            INSERT INTO orders (id, venue_id, account, symbol, venue_order_id, status, created_at, updated_at) VALUES (1, 'v', 'main', 'A', '9', 'acknowledged', 1, 1);
            INSERT INTO cancel_outcomes (incident_id, order_id, attempt, outcome, recorded_at) VALUES (7, 1, 1, 'cancelled', 11);
            """)
        #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO cancel_outcomes (incident_id, order_id, attempt, outcome, recorded_at) VALUES (7, 1, 2, 'closedAfterCancelAll', 12)") }

        #expect(try Migrator(migrations: all).migrate(db, now: 2) == ["0007_closed_after_cancel_all.sql"])
        #expect(try db.scalarText("SELECT group_concat(outcome) FROM cancel_outcomes") == "cancelled")
        try db.execute("INSERT INTO cancel_outcomes (incident_id, order_id, attempt, outcome, recorded_at) VALUES (7, 1, 2, 'closedAfterCancelAll', 12)")
        #expect(throws: SQLiteError.self) { try db.execute("INSERT INTO cancel_outcomes (incident_id, order_id, attempt, outcome, recorded_at) VALUES (7, 1, 3, 'bogus', 13)") }
        #expect(throws: SQLiteError.self) { try db.execute("DELETE FROM cancel_outcomes") }
        #expect(throws: SQLiteError.self) { try db.execute("UPDATE cancel_outcomes SET outcome = 'cancelled'") }
        #expect(try db.scalarInt("SELECT count(*) FROM pragma_index_list('cancel_outcomes') WHERE name = 'cancel_outcomes_by_incident'") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM pragma_foreign_key_check") == 0)
    }

    @Test func aForeignKeysOffMigrationThatBreaksAReferenceIsRolledBack() throws {
        let dir = TemporaryDirectory()
        let db = try SQLiteConnection(path: dir.file("m.db"))
        try db.execute("PRAGMA foreign_keys = ON")
        let one = try Migration(name: "0001_a.sql", contents: Data("CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p(id)); INSERT INTO p VALUES (1); INSERT INTO c VALUES (1);".utf8))
        let two = try Migration(name: "0002_b.sql", contents: Data("-- migrate: foreign-keys-off\nDELETE FROM p;".utf8))
        _ = try Migrator(migrations: [one]).migrate(db, now: 1)
        #expect(throws: MigrationError.self) { try Migrator(migrations: [one, two]).migrate(db, now: 2) }
        #expect(try db.scalarInt("SELECT count(*) FROM p") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM schema_migrations") == 1)
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
    }
}
