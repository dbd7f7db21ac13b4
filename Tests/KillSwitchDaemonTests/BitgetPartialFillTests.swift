import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
import Logging
@testable import VenueSim

/// Bitget's orders-pending lists one `status` per read, and venue-sim (like the reading of the page that hurts)
/// lists only `live` orders when no status is given: a partially filled order is invisible to an unfiltered
/// listing. These drive a daemon against venue-sim and hold it to "flat is a venue fact" for such orders.
extension EngineIntegration {
@Suite(.serialized) struct BitgetPartialFillTests {
    static let quickEngine = EngineSettings(incidentDeadline: .seconds(1), retryInitial: .milliseconds(20), retryMax: .milliseconds(100), safetyMargin: 0,
                                            escalateAfter: 3, keepTryingInitial: .milliseconds(100), keepTryingMax: .milliseconds(300),
                                            latchedSweepEvery: .seconds(10))

    static let bitget = EngineHarness.specs.first { $0.id == "bitget" }!

    static func simOrder(_ harness: EngineHarness, _ id: String) async -> SimOrderView? {
        await harness.sim.orders(exchange: "bitget", market: nil, status: nil).first { $0.id == id }
    }

    @Test func aPartiallyFilledOrderWhoseCancelFailedIsNotVerifiedCancelledWhileItRests() async throws {
        let harness = try await EngineHarness.start(engine: Self.quickEngine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        let ids = try await harness.seed(perVenue: 6, store: daemon.store, venues: [Self.bitget])
        let victim = try #require(ids["bitget"]?.first)
        // The cancel of `victim` fills part of it instead (it stays open, partially filled), and every answer is
        // unreadable: the daemon cannot know what its cancels did, so it must ask the venue's open-order list.
        try await harness.sim.setFaults(SimFaults(exchange: "bitget", malformedRate: 1, partialFillOrderIds: [victim]))
        let events = daemon.events.subscribe()
        let incident = await daemon.engine.trip(scope: Scope(venue: "bitget"), reason: "partial fill drill", actor: "tests")

        let deadline = ContinuousClock.now + .seconds(15)
        while await Self.simOrder(harness, victim)?.filledQuantity ?? "0" == "0" {
            guard ContinuousClock.now < deadline else { Issue.record("the victim's cancel never reached the venue"); return }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(await Self.simOrder(harness, victim)?.status == "open", "partially filled, still resting")
        // The venue answers readably again: from here every listing shows what rests.
        await harness.sim.clearFaults()

        #expect(await EventWait.ended(events, incident: incident, outcome: .flat, within: .seconds(20)))
        #expect(await Self.simOrder(harness, victim)?.status == "cancelled", "flat only once the partially filled order is really cancelled")
        #expect(await harness.sim.orders(exchange: "bitget", market: nil, status: "open").isEmpty)
        // Never recorded as gone while it rested: no listing "verified" it absent.
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarInt("""
            SELECT count(*) FROM cancel_outcomes o JOIN orders r ON r.id = o.order_id
            WHERE o.incident_id = \(incident) AND r.venue_order_id = '\(victim)' AND o.message LIKE 'verified:%'
            """) == 0)
        #expect(try db.scalarInt("""
            SELECT count(*) FROM cancel_outcomes o JOIN orders r ON r.id = o.order_id
            WHERE o.incident_id = \(incident) AND r.venue_order_id = '\(victim)' AND o.outcome = 'cancelled' AND o.intent_id IS NOT NULL
            """) ?? 0 >= 1, "cancelled by a request the venue answered")
    }

    @Test func anUntrackedPartiallyFilledOrderIsSweptByTheFinalListing() async throws {
        let harness = try await EngineHarness.start(engine: Self.quickEngine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 4, store: daemon.store, venues: [Self.bitget])
        // Placed and partly filled on the venue; no trading system ever reported it.
        _ = try await harness.sim.seed([
            SimOrderSeed(exchange: "bitget", market: "futures", productType: "USDT-FUTURES", symbol: "ETHUSDT", id: "9001", clientOrderId: "rogue-pf",
                         side: "buy", price: "100", quantity: "4", apiKey: "test-api-key", filledQuantity: "1"),
        ])
        #expect(try await daemon.store.orders(OrderFilter(scope: Scope(venue: "bitget"), openOnly: false)).contains { $0.venueOrderId == "9001" } == false)

        let incident = await daemon.engine.trip(scope: Scope(venue: "bitget"), reason: "untracked partial fill", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(await Self.simOrder(harness, "9001")?.status == "cancelled")
        #expect(await harness.sim.orders(exchange: "bitget", market: nil, status: "open").isEmpty)
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarInt("""
            SELECT count(*) FROM cancel_outcomes o JOIN orders r ON r.id = o.order_id
            WHERE o.incident_id = \(incident) AND r.venue_order_id = '9001' AND o.outcome = 'cancelled'
            """) == 1, "adopted from the listing and recorded under the incident")
    }
}
}
