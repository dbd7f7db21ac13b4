import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchStore

/// Reopening an ended incident (an order learned in its scope, or an operator's retry) gives it a fresh
/// deadline — the old one has usually passed, and keeping it would end the new fan-out at once — audits
/// why, and leaves the latch alone.
@Suite struct ReopenIncidentTests {
    @Test func reopenSetsAFreshDeadlineAndAuditsWhy() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let incident = try await store.createIncident(scope: .everything, ruleId: nil, actor: "t", reason: "drill", deadlineAt: 1_000)
        try await store.finishIncident(id: incident.id, state: .flat, summary: "{}")
        let reopened = try #require(try await store.reopenIncident(id: incident.id, auditKind: "incident-retry", actor: "alice",
                                                                  detail: ["why": "venue fixed"], deadlineAt: 9_000))
        #expect(reopened.state == .running)
        #expect(reopened.deadlineAt == 9_000)
        #expect(reopened.isLatched)
        let db = try SQLiteConnection(path: dir.file("ks.db"), mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'incident-retry' AND actor = 'alice' AND incident_id = \(incident.id)") == 1)
        #expect(try await store.reopenIncident(id: 999, auditKind: "incident-reopen", actor: nil, detail: [:], deadlineAt: nil) == nil)
    }
}

@Suite struct PreviousRunTests {
    @Test func aStartWithoutAStopAfterItIsACrash() async throws {
        let store = try Store(options: StoreOptions(path: NSTemporaryDirectory() + "ks-run-\(UUID().uuidString).db"), venues: [])
        #expect(try await store.previousRunCrashed() == false, "a new database: nothing ran before")
        try await store.appendAudit(kind: "daemon-start", incidentId: nil, actor: nil, detail: [:])
        #expect(try await store.previousRunCrashed())
        try await store.appendAudit(kind: "daemon-stop", incidentId: nil, actor: nil, detail: [:])
        #expect(try await store.previousRunCrashed() == false)
        try await store.recordHeartbeat(source: "bot")
        #expect(try await store.lastHeartbeats().keys.sorted() == ["bot"])
    }
}
