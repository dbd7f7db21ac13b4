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
