import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchStore

/// What the store keeps of who called: the identity's name and uid, and the name a body gave only as a note.
@Suite struct CallerIdentityTests {
    @Test func auditRowsKeepTheIdentityAndTheNoteApart() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let bot = AuditActor(name: "bot7", uid: 1001, note: "someone-else")
        let incident = try await store.createIncident(scope: .everything, ruleId: nil, actor: bot, reason: "drill", deadlineAt: nil)
        #expect(incident.actor == "bot7")
        try await store.rearm(incidentId: incident.id, operator: AuditActor(name: "alice", uid: 1002, note: "mallory"), reason: "over", forced: true)
        let record = try #require(try await store.incident(id: incident.id))
        #expect(record.actor == "bot7" && record.rearmedBy == "alice")
        let audit = try StoreReader(path: dir.file("ks.db")).auditTimeline(incident: incident.id).auditEvents
        #expect(audit.map(\.kind) == ["trip", "rearm-forced"])
        #expect(audit.map(\.actor) == ["bot7", "alice"])
        #expect(audit.map(\.actorUid) == [1001, 1002])
        #expect(audit.map(\.actorNote) == ["someone-else", "mallory"])
        // A rule's trip: the rule is the actor, no uid, no note.
        let byRule = try await store.createIncident(scope: .everything, ruleId: "hb", actor: nil, reason: "missed", deadlineAt: nil)
        let ruleRow = try #require(try StoreReader(path: dir.file("ks.db")).auditTimeline(incident: byRule.id).auditEvents.first)
        #expect(ruleRow.actor == "hb" && ruleRow.actorUid == nil && ruleRow.actorNote == nil)
    }

    @Test func eventsHeartbeatsAndMarksRecordTheirSender() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let bot = AuditActor(name: "bot7", uid: 1001)
        _ = try await store.ingest([Fixtures.event("e1")], caller: bot)
        _ = try await store.ingest([Fixtures.event("e2", venueOrderId: "2")])
        try await store.recordHeartbeat(source: "bot7", caller: bot)
        try await store.recordPnLMark(PnLMark(venue: "binance-main", time: Date(), currency: "USD", realizedToday: .zero, unrealized: .zero,
                                              equity: DecimalAmount("10")!), caller: bot)
        let db = try SQLiteConnection(path: dir.file("ks.db"), mode: .readOnly)
        #expect(try db.scalarText("SELECT caller FROM order_events WHERE event_id = 'e1'") == "bot7")
        #expect(try db.scalarInt("SELECT caller_uid FROM order_events WHERE event_id = 'e1'") == 1001)
        #expect(try db.scalarInt("SELECT count(*) FROM order_events WHERE event_id = 'e2' AND caller IS NULL AND caller_uid IS NULL") == 1)
        #expect(try db.scalarText("SELECT last_caller FROM heartbeats WHERE source = 'bot7'") == "bot7")
        #expect(try db.scalarInt("SELECT caller_uid FROM pnl_marks") == 1001)
    }

    /// A database a daemon has not migrated to version 2 yet (an older daemon still running) is still audited:
    /// the identity columns read as absent.
    @Test func aVersionOneDatabaseIsStillReadable() throws {
        let dir = TemporaryDirectory()
        let db = try SQLiteConnection(path: dir.file("old.db"))
        let first = try #require(try Migration.embedded().first)
        try Migrator(migrations: [first]).migrate(db, now: 1)
        try db.execute("""
            INSERT INTO incidents (id, reason, state, tripped_at, actor) VALUES (1, 'old', 'flat', 1, 'alice');
            INSERT INTO audit_events (at, kind, incident_id, actor) VALUES (1, 'trip', 1, 'alice');
            """)
        let audit = try StoreReader(path: dir.file("old.db")).auditTimeline(incident: 1).auditEvents
        #expect(audit.count == 1 && audit[0].actor == "alice" && audit[0].actorUid == nil && audit[0].actorNote == nil)
    }
}
