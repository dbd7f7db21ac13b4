import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
@testable import VenueSim

/// Orders the venue-specific details used to leave resting: an id the venue cannot take poisoning its batch,
/// and a client id the venue has forgotten looping until the deadline.
extension EngineIntegration {
@Suite(.serialized) struct VenueSpecificsTests {
    static let engine = EngineSettings(incidentDeadline: .seconds(6), retryInitial: .milliseconds(20), retryMax: .milliseconds(200), safetyMargin: 0)

    @Test func anIdTheVenueCannotTakeNeitherPoisonsItsBatchNorStaysOpen() async throws {
        let harness = try await EngineHarness.start(engine: Self.engine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        // Ten resting orders on one Binance symbol (one batch of ten); the bot reported one of them with a
        // garbled id.
        _ = try await harness.sim.seed((0..<10).map {
            SimOrderSeed(exchange: "binance", market: "futures", symbol: "BTCUSD_PERP", id: String(7000 + $0), side: "buy", price: "1", quantity: "1", apiKey: "test-api-key")
        })
        let events: [Result<OrderEvent, EventError>] = (0..<10).map { i in
            .success(OrderEvent(eventId: "bad-id-\(i)", venueId: "binance", account: "main", symbol: "BTCUSD_PERP", venueOrderId: i == 3 ? "70O3" : String(7000 + i),
                                clientOrderId: nil, status: .acknowledged, side: .buy, price: DecimalAmount("1"), quantity: DecimalAmount("1")))
        }
        let results = try await daemon.ingest(events)
        #expect(results.count == 10)
        let incident = await daemon.engine.trip(scope: Scope(venue: "binance"), reason: "bad id", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(await harness.sim.orders(exchange: "binance", market: nil, status: "open").isEmpty, "the nine went by id, the tenth through the listing")
    }

    @Test func anIdTheVenueCannotTakeIsStoredWithAWarningNamingTheField() async throws {
        let harness = try await EngineHarness.start(engine: Self.engine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        let validator = OrderEventValidator(venues: harness.configuration.venueDescriptors)
        let json = #"[{"eventId":"w1","venue":"binance","symbol":"BTCUSD_PERP","venueOrderId":"x-1","status":"new","side":"buy","price":"1","quantity":"1"}]"#
        let events = try validator.validate(json: Data(json.utf8))
        guard case .success(let parsed)? = events.first else { Issue.record("refused: \(events)"); return }
        #expect(parsed.warnings.map(\.field) == ["venueOrderId"])
        let stored = try await daemon.ingest([.success(parsed)])
        guard case .stored = stored[0] else { Issue.record("not stored: \(stored[0])"); return }
        #expect(try await daemon.store.orders(OrderFilter(scope: .everything, openOnly: true)).map(\.venueOrderId) == ["x-1"], "a live order the rules must see")
    }

    @Test func aClientIdTheVenueHasForgottenIsNotTakenForGone() async throws {
        let harness = try await EngineHarness.start(engine: Self.engine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        // Placed with a text id and reported by it alone; Gate spot takes a text id in cancels for 30 minutes only.
        _ = try await harness.sim.seed([SimOrderSeed(exchange: "gate", market: "spot", symbol: "BTC_USDT", id: "888001", clientOrderId: "t-stale",
                                                     side: "buy", price: "1", quantity: "1", apiKey: "test-api-key", account: "spot")])
        _ = try await daemon.ingest([.success(OrderEvent(eventId: "stale-1", venueId: "gate-spot", account: "main", symbol: "BTC_USDT", venueOrderId: nil,
                                                         clientOrderId: "t-stale", status: .acknowledged, side: .buy, price: DecimalAmount("1"), quantity: DecimalAmount("1")))])
        await harness.sim.setClockOffset(milliseconds: 31 * 60 * 1_000)
        await daemon.warmVenueConnections()
        let incident = await daemon.engine.trip(scope: Scope(venue: "gate-spot"), reason: "stale client id", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(await harness.sim.orders(exchange: "gate", market: "spot", status: "open").isEmpty)
        // The order's row learned its venue id, and its "not found" was never taken for "gone".
        let row = try #require(try await daemon.store.orders(OrderFilter(scope: Scope(venue: "gate-spot"), openOnly: false)).first)
        #expect(row.venueOrderId == "888001")
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_outcomes WHERE incident_id = \(incident) AND outcome = 'cancelled'") == 1)
    }
}
}
