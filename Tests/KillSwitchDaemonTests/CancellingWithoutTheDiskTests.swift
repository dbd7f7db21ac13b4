import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
@testable import VenueSim

/// Cancelling does not depend on the disk: with the database unable to write, trips latch, cancels go out and
/// are recorded in the journal, and the journal is merged once the database writes again — order by order.
extension EngineIntegration {
@Suite(.serialized) struct CancellingWithoutTheDiskTests {
    static let engine = EngineSettings(incidentDeadline: .seconds(20), retryInitial: .milliseconds(20), retryMax: .milliseconds(200), safetyMargin: 0)

    static func spec(_ id: String) -> EngineHarness.VenueSpec { EngineHarness.specs.first { $0.id == id }! }

    /// Every order of the incident has a terminal outcome recorded under it.
    static func everyOrderRecorded(_ database: String, incident: Int64, orders: Int) throws -> Bool {
        let db = try SQLiteConnection(path: database, mode: .readOnly)
        return try db.scalarInt("""
            SELECT count(DISTINCT order_id) FROM cancel_outcomes WHERE incident_id = \(incident) AND outcome IN ('cancelled', 'alreadyClosed')
            """) == Int64(orders)
    }

    @Test func theDatabaseFullWhenTheTripStartsStillLatchesCancelsAndIsWrittenOnceSpaceReturns() async throws {
        let harness = try await EngineHarness.start(engine: Self.engine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 30, store: daemon.store, venues: [Self.spec("binance"), Self.spec("gate-fut")])
        daemon.store.faults.failWrites()

        let provisional = await daemon.engine.trip(scope: .everything, reason: "disk full", actor: "tests")
        #expect(provisional < 0, "the incident could not be written: a provisional id")
        #expect(await daemon.engine.gate(venue: "binance", account: "main", symbol: "BTCUSD_PERP").allowed == false, "latched at once")
        #expect(await daemon.engine.waitForIncident(provisional) == .flat, "cancelled and verified while the database could not write")
        #expect(await harness.sim.orders(exchange: nil, market: nil, status: "open").isEmpty)
        #expect(daemon.store.health.snapshot.ok == false)
        #expect(daemon.store.health.snapshot.journalRecords > 0)
        let status = try await daemon.statusReport()
        #expect(status.storage?.ok == false)

        // Space returns: the journal is merged, the incident takes its real id, the audit is complete.
        daemon.store.faults.clear()
        #expect(await daemon.store.mergeJournal())
        let latched = await daemon.engine.latchedIncidents
        #expect(latched.count == 1)
        let incident = try #require(latched.first?.id)
        #expect(incident > 0)
        #expect(await daemon.engine.gate(venue: "binance", account: "main", symbol: "BTCUSD_PERP").incident == incident)
        #expect(try Self.everyOrderRecorded(harness.configuration.database, incident: incident, orders: 60))
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarText("SELECT state FROM incidents WHERE id = \(incident)") == "flat")
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents WHERE incident_id = \(incident) AND journal_key IS NOT NULL") ?? 0 > 0)
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'journal-merged'") == 1)
        // Re-arm uses the real id.
        try await daemon.rearm(incidentId: incident, operator: "alice", reason: "disk freed", force: true)
        #expect(await daemon.engine.latchedIncidents.isEmpty)
    }

    @Test func theDatabaseFullDuringATripStillCancelsEverythingAndTheAuditIsCompleteAfterTheMerge() async throws {
        let harness = try await EngineHarness.start(engine: Self.engine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        // Bitget at 10 requests a second: 600 orders take a few seconds, long enough to fill the disk mid-way.
        try await harness.seed(perVenue: 600, store: daemon.store, venues: [Self.spec("bitget")])
        let incident = await daemon.engine.trip(scope: Scope(venue: "bitget"), reason: "disk fills mid-trip", actor: "tests")
        #expect(incident > 0)
        while await harness.sim.orders(exchange: "bitget", market: nil, status: "cancelled").isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        daemon.store.faults.failWrites()
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(await harness.sim.orders(exchange: "bitget", market: nil, status: "open").isEmpty)
        #expect(daemon.store.health.snapshot.journalRecords > 0, "answers after the disk filled went to the journal")

        daemon.store.faults.clear()
        #expect(await daemon.store.mergeJournal())
        #expect(try Self.everyOrderRecorded(harness.configuration.database, incident: incident, orders: 600), "every order's outcome, journaled or not, is in the audit")
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarText("SELECT state FROM incidents WHERE id = \(incident)") == "flat")
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents i LEFT JOIN cancel_responses r ON r.intent_id = i.id WHERE i.incident_id = \(incident) AND r.id IS NULL") == 0,
                "every intent has its answer")
    }

    @Test func aCrashWithAJournalLeftIsMergedAtTheNextStartAndNothingIsResentBlindly() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let config = try EngineIntegration.CrashResumeTests.writeConfig(harness)
        let incidentId: Int64
        do {
            let store = try Store(options: StoreOptions(path: harness.configuration.database), venues: harness.configuration.venueDescriptors)
            try await harness.seed(perVenue: 40, store: store)
            incidentId = try await store.createIncident(scope: .everything, ruleId: nil, actor: "tests", reason: "journal crash", deadlineAt: WallClock.system.now() + 60_000).id
        }
        // The first run resumes the incident with its database unable to write, and dies after a few intents —
        // journaled, not in the database.
        let crashed = try await EngineIntegration.CrashResumeTests.runDaemon(config: config, environment: [
            "KILLSWITCH_TEST_STORE_FAULTS": "all", "KILLSWITCH_TEST_CRASH_AFTER_INTENTS": "6",
        ])
        #expect(crashed == 86)
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents") == 0, "nothing reached the database")
        let journal = try Data(contentsOf: URL(fileURLWithPath: harness.configuration.database + ".journal")).prefix { $0 != 0 }
        #expect(!journal.isEmpty, "the journal holds what the first run did")

        // The next start merges the journal first, then resumes: intents sent but never answered are verified by
        // listing before anything of theirs is re-sent.
        #expect(try await EngineIntegration.CrashResumeTests.runDaemon(config: config, environment: [:]) == 0)
        #expect(try db.scalarText("SELECT state FROM incidents WHERE id = \(incidentId)") == "flat")
        #expect(await harness.sim.orders(exchange: nil, market: nil, status: "open").isEmpty)
        let merged = try db.prepare("SELECT id, venue_id, order_ids FROM cancel_intents WHERE journal_key IS NOT NULL AND kind = 'batch-cancel'").rows()
        #expect(!merged.isEmpty)
        for row in merged {
            let venue = row[1].textValue ?? ""
            let orders = (try? JSONDecoder().decode([Int64].self, from: Data((row[2].textValue ?? "[]").utf8))) ?? []
            let listing = try db.scalarInt("SELECT min(id) FROM cancel_intents WHERE venue_id = '\(venue)' AND kind = 'list-open' AND journal_key IS NULL")
            let resends = try db.prepare("SELECT id, order_ids FROM cancel_intents WHERE venue_id = '\(venue)' AND kind = 'batch-cancel' AND journal_key IS NULL").rows()
            for resend in resends {
                let ids = (try? JSONDecoder().decode([Int64].self, from: Data((resend[1].textValue ?? "[]").utf8))) ?? []
                if !Set(ids).isDisjoint(with: orders) { #expect(resend[0].intValue! > (listing ?? .max), "re-sent before its venue was listed") }
            }
        }
    }
}
}
