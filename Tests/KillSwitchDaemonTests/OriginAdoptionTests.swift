import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
@testable import VenueSim

/// Orders found on the venue: an origin label is never a client id, and no single listed order can
/// block a sweep — against venue-sim, which reports Gate's labels as Gate does.
extension EngineIntegration {
@Suite(.serialized) struct OriginAdoptionTests {
    /// A deadline short enough that a listing that keeps failing ends the test quickly (`incomplete`), long
    /// enough for a handful of orders to be cancelled and listed again.
    static let engine = EngineSettings(incidentDeadline: .seconds(6), retryInitial: .milliseconds(20), retryMax: .milliseconds(100), safetyMargin: 0,
                                       escalateAfter: 3, keepTryingInitial: .seconds(30), keepTryingMax: .seconds(30), latchedSweepEvery: .seconds(600))

    static func spec(_ id: String) -> EngineHarness.VenueSpec { EngineHarness.specs.first { $0.id == id }! }

    static func manual(_ spec: EngineHarness.VenueSpec, id: String, symbol: String = "BTC_USDT") -> SimOrderSeed {
        .manual(exchange: spec.exchange, market: spec.market, settle: spec.settle, symbol: symbol, id: id, side: "buy", price: "100", quantity: "1",
                apiKey: "test-api-key")
    }

    /// An order placed over the API without a client id: Gate reports `api` (futures) or `apiv4` (spot).
    static func apiWithoutClientId(_ spec: EngineHarness.VenueSpec, id: String) -> SimOrderSeed {
        SimOrderSeed(exchange: spec.exchange, market: spec.market, settle: spec.settle, symbol: "ETH_USDT", id: id, side: "sell", price: "200",
                     quantity: "1", apiKey: "test-api-key")
    }

    static func database(_ harness: EngineHarness) throws -> SQLiteConnection {
        try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
    }

    @Test(arguments: ["gate-fut", "gate-spot"])
    func aVenueScopedTripCancelsManualOrdersThatShareOneOriginLabelAndEndsFlat(venue: String) async throws {
        let harness = try await EngineHarness.start(engine: Self.engine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        let spec = Self.spec(venue)
        try await harness.seed(perVenue: 6, store: daemon.store, venues: [spec])
        // Three orders a trader placed by hand (all `web`) and two a bot placed without a client id (all `api`
        // or `apiv4`): the tracker was told of none of them.
        let manual = ["9001", "9002", "9003"], api = ["9004", "9005"]
        _ = try await harness.sim.seed(manual.map { Self.manual(spec, id: $0) } + api.map { Self.apiWithoutClientId(spec, id: $0) })

        let incident = await daemon.engine.trip(scope: Scope(venue: venue), reason: "manual orders drill", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(await harness.sim.orders(exchange: "gate", market: spec.market, status: "open").isEmpty)
        let db = try Self.database(harness)
        let label = venue == "gate-fut" ? "api" : "apiv4"
        for id in manual + api {
            let origin = try db.scalarText("SELECT origin FROM orders WHERE venue_id = '\(venue)' AND venue_order_id = '\(id)' AND client_order_id IS NULL")
            #expect(origin == (manual.contains(id) ? "web" : label), "order \(id) adopted with its origin, no client id")
            #expect(try db.scalarText("""
                SELECT c.outcome FROM cancel_outcomes c JOIN orders o ON o.id = c.order_id
                WHERE c.incident_id = \(incident) AND o.venue_order_id = '\(id)' ORDER BY c.id DESC LIMIT 1
                """) == "cancelled", "order \(id) cancelled and recorded")
        }
        // The reported orders keep their `t-` client ids.
        #expect(try db.scalarInt("SELECT count(*) FROM orders WHERE venue_id = '\(venue)' AND client_order_id LIKE 't-%'") == 6)
    }

    @Test func aListedOrderReusingAStoredClientIdIsAdoptedByItsVenueIdAndCancelled() async throws {
        let harness = try await EngineHarness.start(engine: Self.engine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        // The bot's order 5001 with `t-reused` filled long ago; the bot then reused the client id (Gate allows it
        // after 30 minutes) for 5002, which it never reported.
        _ = try await daemon.store.ingest([OrderEvent(eventId: "old", venueId: "gate-spot", account: "main", symbol: "BTC_USDT", venueOrderId: "5001",
                                                      clientOrderId: "t-reused", status: .filled, side: .buy, price: DecimalAmount("100"),
                                                      quantity: DecimalAmount("1"), filledQuantity: DecimalAmount("1"))])
        _ = try await harness.sim.seed([SimOrderSeed(exchange: "gate", market: "spot", symbol: "BTC_USDT", id: "5002", clientOrderId: "t-reused",
                                                     side: "buy", price: "100", quantity: "1", apiKey: "test-api-key")])

        let incident = await daemon.engine.trip(scope: Scope(venue: "gate-spot"), reason: "reused client id", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(await harness.sim.orders(exchange: "gate", market: "spot", status: "open").isEmpty)
        let db = try Self.database(harness)
        #expect(try db.scalarText("SELECT client_order_id FROM orders WHERE venue_order_id = '5002'") == "t-reused", "the venue's order id decides")
        #expect(try db.scalarInt("SELECT count(*) FROM orders WHERE venue_order_id = '5001' AND client_order_id IS NULL AND status = 'filled'") == 1,
                "the old row keeps its venue id and state")
        #expect(try db.scalarInt("SELECT count(*) FROM order_events WHERE event_id = 'old' AND client_order_id = 't-reused'") == 1, "and its history")
        #expect(try db.scalarText("""
            SELECT c.outcome FROM cancel_outcomes c JOIN orders o ON o.id = c.order_id WHERE c.incident_id = \(incident) AND o.venue_order_id = '5002'
            ORDER BY c.id DESC LIMIT 1
            """) == "cancelled")
        let detail = try #require(try db.scalarText("SELECT detail FROM audit_events WHERE kind = 'client-id-moved' AND incident_id = \(incident)"))
        #expect(detail.contains(#""fromVenueOrderId":"5001""#) && detail.contains(#""toVenueOrderId":"5002""#) && detail.contains("t-reused"))
    }

    @Test func theLatchedSweepCancelsManualOrdersPlacedAfterFlat() async throws {
        let harness = try await EngineHarness.start(engine: Self.engine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        let spec = Self.spec("gate-fut")
        let incident = await daemon.engine.trip(scope: Scope(venue: "gate-fut"), reason: "sweep drill", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)

        // A trader places two orders by hand inside the latched scope.
        _ = try await harness.sim.seed([Self.manual(spec, id: "9101"), Self.manual(spec, id: "9102", symbol: "ETH_USDT")])
        let events = daemon.events.subscribe()
        #expect(await daemon.engine.sweepLatched() == 2)
        #expect(await EventWait.ended(events, incident: incident, outcome: .flat, within: .seconds(10)))
        #expect(await harness.sim.orders(exchange: "gate", market: "futures", status: "open").isEmpty)
        #expect(try Self.database(harness).scalarInt("SELECT count(*) FROM orders WHERE venue_order_id IN ('9101', '9102') AND origin = 'web'") == 2)
    }

    @Test func aListedOrderWhoseRowCannotBeWrittenIsStillCancelledByItsVenueId() async throws {
        let harness = try await EngineHarness.start(engine: Self.engine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        let spec = Self.spec("gate-fut")
        _ = try await harness.sim.seed([Self.manual(spec, id: "9201"), Self.manual(spec, id: "9202")])
        // The store refuses this one row (as a full disk or a broken row would), and only it.
        let writer = try SQLiteConnection(path: harness.configuration.database)
        try writer.execute("""
            CREATE TRIGGER test_refuse_9202 BEFORE INSERT ON orders WHEN NEW.venue_order_id = '9202'
            BEGIN SELECT RAISE(ABORT, 'row refused by the test'); END
            """)

        let incident = await daemon.engine.trip(scope: Scope(venue: "gate-fut"), reason: "unwritable row", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(await harness.sim.orders(exchange: "gate", market: "futures", status: "open").isEmpty, "both cancelled")
        let db = try Self.database(harness)
        #expect(try db.scalarInt("SELECT count(*) FROM orders WHERE venue_order_id = '9201' AND origin = 'web'") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM orders WHERE venue_order_id = '9202'") == 0)
        // Its cancel request is recorded whole (the wire carried its venue id), with no outcome row for it.
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents WHERE incident_id = \(incident) AND wire_ids LIKE '%\"9202\"%'") ?? 0 >= 1)
        let detail = try #require(try db.scalarText("SELECT detail FROM audit_events WHERE kind = 'orders-not-recorded' AND incident_id = \(incident)"))
        #expect(detail.contains("9202") && detail.contains("row refused by the test"))
    }
}
}
