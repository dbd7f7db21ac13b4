import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchStore

/// The store's own account of whether it can write, and its count of open orders no bot reported.
@Suite struct StorageHealthTests {
    @Test func aFailedWriteTurnsHealthOffUntilTheNextWriteSucceeds() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir, clock: WallClock { 1_700_000_000_123 })
        #expect(store.health.snapshot == StorageHealth.Snapshot(ok: true, failures: 0))
        _ = try await store.ingest([Fixtures.event("e1")])
        store.faults.failWrites(of: "ingest", times: 2)
        for id in ["e2", "e3"] { await #expect(throws: SQLiteError.self) { _ = try await store.ingest([Fixtures.event(id)]) } }
        let failing = store.health.snapshot
        #expect(!failing.ok)
        #expect(failing.failures == 2)
        #expect(failing.lastFailureAt == 1_700_000_000_123)
        #expect(failing.lastError?.contains("disk is full") == true)
        // Heartbeats write outside a transaction: they report too.
        try await store.recordHeartbeat(source: "bot7")
        #expect(store.health.snapshot.ok)
        #expect(store.health.snapshot.failures == 2, "failures are counted, never forgotten")
    }

    @Test func aRefusedRowIsNotAFailingDisk() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        // No such venue: the foreign key refuses the mark (callers validate first; this is the last line).
        let mark = PnLMark(venue: "no-such-venue", time: Date(timeIntervalSince1970: 1_700_000_000), currency: "USDT",
                           realizedToday: .zero, unrealized: .zero, equity: DecimalAmount("1")!)
        await #expect(throws: SQLiteError.self) { try await store.recordPnLMark(mark) }
        #expect(store.health.snapshot == StorageHealth.Snapshot(ok: true, failures: 0))
    }

    @Test func untrackedCountsListedOrdersNoBotReported() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        _ = try await store.ingest([Fixtures.event("e1", venueOrderId: "100"), Fixtures.event("e2", venueOrderId: nil, clientOrderId: "c-200")])
        let listed = [
            VenueOpenOrder(symbol: "BTCUSD_PERP", venueOrderId: "100", clientOrderId: nil),      // reported by venue id
            VenueOpenOrder(symbol: "BTCUSD_PERP", venueOrderId: "200", clientOrderId: "c-200"),  // reported by client id only
            VenueOpenOrder(symbol: "BTCUSD_PERP", venueOrderId: "300", clientOrderId: "rogue"),  // never reported
            VenueOpenOrder(symbol: "BTCUSD_PERP", venueOrderId: "400", clientOrderId: nil),      // never reported
        ]
        #expect(try await store.untrackedCount(venueId: "binance-main", listed: listed) == 2)
        // Adopting them (a listing did) does not make them reported.
        _ = try await store.adoptListed(venueId: "binance-main", orders: listed)
        #expect(try await store.untrackedCount(venueId: "binance-main", listed: listed) == 2)
        #expect(try await store.untrackedCount(venueId: "gate-fut", listed: listed) == 4, "another venue's orders are not these")
        #expect(try await store.untrackedCount(venueId: "binance-main", listed: []) == 0)
    }
}
