import Foundation
import Synchronization
import Testing
import KillSwitchCore
@testable import KillSwitchStore

/// The trip path's one commit: the incident, its `trip` event and the first requests' intents decided from the
/// scope's open orders read in the same transaction — and what happens when that commit cannot be made.
@Suite struct TripCommitTests {
    static func seeded(_ dir: String, clock: WallClock = .system) async throws -> (Store, StoredOrder) {
        let venue = VenueDescriptor(id: "bn", kind: .binanceCoinM, account: "main", baseURL: "http://127.0.0.1:1", market: VenueMarket())
        let store = try Store(options: StoreOptions(path: dir + "/ks.db", journalPath: dir + "/ks.db.journal", journalSize: 1 << 20), venues: [venue], clock: clock)
        _ = try await store.ingest([OrderEvent(eventId: "e1", venueId: "bn", account: "main", symbol: "BTCUSD_PERP", venueOrderId: "900", clientOrderId: nil,
                                               status: .acknowledged, side: .buy, price: DecimalAmount("1"), quantity: DecimalAmount("1"))])
        return (store, try #require(try await store.orders(OrderFilter(scope: .everything, openOnly: true)).first))
    }

    /// Plans one batch cancel per open order it is shown, and says which orders it saw.
    static func trip(_ store: Store) async throws -> (incident: IncidentRecord, open: [StoredOrder]?, plan: [Int64], intentIds: [[Int64]]?) {
        try await store.createIncident(scope: Scope(venue: "bn"), ruleId: nil, actor: "tests", reason: "drill", deadlineAt: nil,
                                       readingOpen: OrderFilter(scope: Scope(venue: "bn"), openOnly: true)) { incident, open in
            let orders = open ?? []
            return (orders.map(\.id), [PlannedIntents(venueId: "bn", kind: "batch-cancel", requests: orders.map { (1, $0.symbol, [$0.cancelTarget]) })])
        }
    }

    @Test func theIncidentAndItsFirstIntentsAreOneCommitDecidedFromTheOrdersReadInIt() async throws {
        let dir = JournalTests.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // A wall clock that moves 1 ms each time it is read: what is stamped when shows.
        let ticks = Mutex<Int64>(1_700_000_000_000)
        let (store, order) = try await Self.seeded(dir, clock: WallClock { ticks.withLock { $0 += 1; return $0 } })
        let opened = try await Self.trip(store)
        #expect(opened.plan == [order.id], "the plan saw the scope's open orders")
        #expect(opened.open?.map(\.id) == [order.id])
        let ids = try #require(opened.intentIds)
        #expect(ids.count == 1 && ids[0].count == 1 && ids[0][0] > 0)
        let db = try SQLiteConnection(path: dir + "/ks.db", mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents WHERE id = \(ids[0][0]) AND incident_id = \(opened.incident.id) AND kind = 'batch-cancel' AND order_ids = '[\(order.id)]'") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'trip' AND incident_id = \(opened.incident.id)") == 1)
        // The intent is stamped when it is written, after the read and the plan — not with the trip's time.
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents i JOIN incidents n ON n.id = i.incident_id WHERE i.sent_at > n.tripped_at") == 1)
    }

    @Test func refusedIntentsRollBackAndTheIncidentIsOpenedAloneOnce() async throws {
        let dir = JournalTests.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (store, order) = try await Self.seeded(dir)
        store.faults.failWrites(of: "recordIntents", times: 1, as: .refused)
        let opened = try await Self.trip(store)
        #expect(opened.intentIds == nil, "the caller records the intents itself")
        #expect(opened.plan == [order.id])
        #expect(opened.incident.id > 0)
        let db = try SQLiteConnection(path: dir + "/ks.db", mode: .readOnly)
        // The rolled-back transaction left nothing: one incident, one trip event, no intent.
        #expect(try db.scalarInt("SELECT count(*) FROM incidents") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'trip'") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents") == 0)
    }

    @Test func aDatabaseThatCannotWriteJournalsTheIncidentAndLeavesTheIntentsToTheCaller() async throws {
        let dir = JournalTests.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (store, order) = try await Self.seeded(dir)
        store.faults.failWrites()
        let opened = try await Self.trip(store)
        #expect(opened.incident.id < 0, "journaled under a provisional id")

        #expect(opened.intentIds == nil)
        #expect(opened.plan == [order.id], "the orders are still read: the database can read")
        store.faults.clear()
        #expect(await store.mergeJournal())
        let db = try SQLiteConnection(path: dir + "/ks.db", mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM incidents") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents") == 0)
    }

    @Test func aFailingDiskIsTriedOnceBeforeTheIncidentIsJournaled() async throws {
        let dir = JournalTests.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (store, _) = try await Self.seeded(dir)
        // One write fails as a full disk: the trip journals at once rather than paying for the disk a second time
        // (a busy timeout, an I/O error) before its first cancel.
        store.faults.failWrites(times: 1)
        let opened = try await Self.trip(store)
        #expect(opened.incident.id < 0, "journaled at once, not written by a second try")
        #expect(opened.intentIds == nil)
    }

}
