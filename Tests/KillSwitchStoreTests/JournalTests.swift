import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchStore

/// The journal the store falls back to while the database cannot write, and the merge that empties it.
@Suite struct JournalTests {
    static func directory() -> String {
        let path = NSTemporaryDirectory() + "ks-journal-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func theJournalIsReallyAllocatedNotSparse() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try StoreJournal(path: dir + "/j", size: 4 << 20)
        #expect(journal.allocatedBytes >= 4 << 20, "blocks allocated: \(journal.allocatedBytes)")
        #expect(journal.isEmpty)
    }

    @Test func recordsSurviveAReopenAndATornLastLineIsDropped() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let journal = try StoreJournal(path: dir + "/j", size: 1 << 20)
            for i in 1...3 { try journal.append(JournalRecord(key: "k-\(i)", kind: .audit, at: Int64(i))) }
        }
        // A crash in the middle of a fourth line: its checksum cannot match.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: dir + "/j"))
        let text = String(decoding: StoreJournal.line(JournalRecord(key: "k-4", kind: .audit, at: 4)), as: UTF8.self)
        let reopenedBefore = try StoreJournal(path: dir + "/j", size: 1 << 20)
        try handle.seek(toOffset: UInt64(reopenedBefore.used))
        try handle.write(contentsOf: Data(text.utf8.prefix(text.utf8.count - 5)))
        try handle.close()
        let journal = try StoreJournal(path: dir + "/j", size: 1 << 20)
        #expect(journal.records().map(\.key) == ["k-1", "k-2", "k-3"])
        // A record appended after the torn one overwrites it.
        try journal.append(JournalRecord(key: "k-5", kind: .audit, at: 5))
        #expect(try StoreJournal(path: dir + "/j", size: 1 << 20).records().map(\.key) == ["k-1", "k-2", "k-3", "k-5"])
        try journal.clear()
        #expect(try StoreJournal(path: dir + "/j", size: 1 << 20).isEmpty)
    }

    @Test func aFullJournalSaysSo() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try StoreJournal(path: dir + "/j", size: 1 << 20)
        var record = JournalRecord(key: "big", kind: .audit, at: 1)
        record.detail = ["x": String(repeating: "y", count: 2 << 20)]
        #expect(throws: StoreJournal.Failure.self) { try journal.append(record) }
        #expect(journal.isEmpty)
    }

    static func store(_ dir: String) throws -> Store {
        let venue = VenueDescriptor(id: "bn", kind: .binanceCoinM, account: "main", baseURL: "http://127.0.0.1:1", market: VenueMarket())
        return try Store(options: StoreOptions(path: dir + "/ks.db", journalPath: dir + "/ks.db.journal", journalSize: 1 << 20), venues: [venue])
    }

    @Test func whileTheDatabaseCannotWriteEverythingGoesToTheJournalAndIsMergedOnceItCan() async throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try Self.store(dir)
        _ = try await store.ingest([OrderEvent(eventId: "e1", venueId: "bn", account: "main", symbol: "BTCUSD_PERP", venueOrderId: "900", clientOrderId: nil,
                                               status: .acknowledged, side: .buy, price: DecimalAmount("1"), quantity: DecimalAmount("1"))])
        let order = try #require(try await store.orders(OrderFilter(scope: .everything, openOnly: true)).first)
        store.faults.failWrites()
        let incident = try await store.createIncident(scope: Scope(venue: "bn"), ruleId: nil, actor: "tests", reason: "disk full", deadlineAt: nil)
        #expect(incident.id < 0)
        let intents = try await store.recordIntents(incidentId: incident.id, venueId: "bn", kind: "batch-cancel", requests: [(1, "BTCUSD_PERP", [order.cancelTarget])])
        #expect(intents.allSatisfy { $0 < 0 })
        try await store.recordAnswer(incidentId: incident.id, intentId: intents[0], httpStatus: 200, venueCode: nil, rawBody: "[]", latencyNanoseconds: 1_000,
                                     transportError: nil, outcomes: [OrderCancelOutcome(target: order.cancelTarget, kind: .cancelled)], attempts: [order.id: 1])
        try await store.finishIncident(id: incident.id, state: .flat, summary: "{}")
        #expect(store.health.snapshot.ok == false)
        #expect(store.health.snapshot.journalRecords == 4)
        #expect(await store.mergeJournal() == false, "still full: nothing merged")

        store.faults.clear()
        #expect(await store.mergeJournal())
        #expect(store.health.snapshot.ok)
        #expect(store.health.snapshot.journalRecords == 0)
        let db = try SQLiteConnection(path: dir + "/ks.db", mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM incidents WHERE journal_key IS NOT NULL AND state = 'flat'") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents WHERE journal_key IS NOT NULL") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_outcomes WHERE outcome = 'cancelled' AND order_id = \(order.id)") == 1)
        #expect(try db.scalarText("SELECT status FROM orders WHERE id = \(order.id)") == "cancelled")
        // Writes after the merge use the real ids for the provisional ones.
        try await store.appendAudit(kind: "note", incidentId: incident.id, actor: nil, detail: [:])
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'note' AND incident_id > 0") == 1)
    }

    @Test func aMergeInterruptedByACrashIsResumedWithoutWritingAnythingTwice() async throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let store = try Self.store(dir)
            store.faults.failWrites()
            let incident = try await store.createIncident(scope: .everything, ruleId: nil, actor: "tests", reason: "r", deadlineAt: nil)
            _ = try await store.recordIntents(incidentId: incident.id, venueId: "bn", kind: "list-open", requests: [(1, nil, [])])
            // The merge writes the incident, then the process dies before the intents (injected as refused to
            // stop the merge there without touching the journal).
            store.faults.clear()
            store.faults.failWrites(of: "recordIntents", as: .full)
            #expect(await store.mergeJournal() == false)
        }
        let db = try SQLiteConnection(path: dir + "/ks.db", mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM incidents") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents") == 0)
        // The next process merges what is left: the incident once, the intent under it.
        let store = try Self.store(dir)
        #expect(await store.mergeJournal())
        #expect(try db.scalarInt("SELECT count(*) FROM incidents") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents i JOIN incidents n ON n.id = i.incident_id") == 1)
    }
}
