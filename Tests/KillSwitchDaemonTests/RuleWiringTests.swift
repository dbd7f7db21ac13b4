import Foundation
import Testing
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
import VenueSim

extension EngineIntegration {
/// Rules wired into the daemon: a missed heartbeat and a runaway order rate trip their scopes; orders
/// learned inside a tripped scope are cancelled on sight; re-arm is refused while the condition holds.
@Suite(.serialized) struct RuleWiringTests {
    /// The first incident the daemon trips: already latched, or the next `.tripped` event (subscribed before
    /// looking, so a trip between the two is not missed).
    static func firstIncident(_ daemon: Daemon) async throws -> Int64 {
        let events = daemon.events.subscribe()
        if let incident = await daemon.engine.latchedIncidents.first { return incident.id }
        for await event in events {
            if case .tripped(let incident) = event { return incident.id }
        }
        throw CancellationError()
    }

    @Test func missedHeartbeatTripsItsScope() async throws {
        let rule = RuleDefinition(id: "bot-alive", scope: Scope(venue: "binance"), kind: .heartbeat(source: "bot", timeout: .milliseconds(300), grace: .zero))
        let harness = try await EngineHarness.start(rules: [rule])
        defer { Task { await harness.shutdown() } }
        // The book is in place before the daemon starts its clock (the rule has no grace).
        try await harness.seed(perVenue: 20, store: Store(options: StoreOptions(path: harness.configuration.database), venues: harness.configuration.venueDescriptors))
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        let incident = try await Self.firstIncident(daemon)
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(await harness.sim.orders(exchange: "binance", market: nil, status: "open").isEmpty)
        #expect(await harness.sim.orders(exchange: "gate", market: nil, status: "open").count == 40)
        let record = try #require(try await daemon.store.incident(id: incident))
        #expect(record.ruleId == "bot-alive")
        #expect(record.scope == Scope(venue: "binance"))
        // The heartbeat source is back, so the rule no longer holds: re-arm is accepted.
        try await daemon.heartbeat(source: "bot")
        try await daemon.rearm(incidentId: incident, operator: "alice", reason: "bot restarted", force: false)
        #expect(await daemon.engine.gate(venue: "binance", account: "main", symbol: "BTCUSD_PERP").allowed)
    }

    @Test func runawayOrderRateTripsAndNewOrdersAreCancelledOnSight() async throws {
        let rule = RuleDefinition(id: "runaway", scope: .everything, kind: .orderRate(maxOrders: 30, window: .seconds(60), per: .account))
        let harness = try await EngineHarness.start(rules: [rule])
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        // 31 new orders on one account: the 31st trips that account.
        let ids = try await harness.seed(perVenue: 31, store: daemon.store, venues: [EngineHarness.specs[4]])
        _ = ids
        // Seeding went straight to the store; feed the same kind of events through the daemon's ingest path.
        let events: [Result<OrderEvent, EventError>] = (0..<31).map { i in
            .success(OrderEvent(eventId: "rate-\(i)", venueId: "gate-spot", account: "main", symbol: "BTC_USDT", venueOrderId: "9\(i)", clientOrderId: nil,
                                status: .new, side: .buy, price: DecimalAmount("1"), quantity: DecimalAmount("1")))
        }
        _ = try await harness.sim.seed((0..<31).map { SimOrderSeed(exchange: "gate", market: "spot", symbol: "BTC_USDT", id: "9\($0)", side: "buy", price: "1", quantity: "1", apiKey: "test-api-key") })
        _ = try await daemon.ingest(events)
        let incident = try await Self.firstIncident(daemon)
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(await harness.sim.orders(exchange: "gate", market: "spot", status: "open").isEmpty)
        // Binance orders (another venue) are untouched.
        #expect(await harness.sim.orders(exchange: "binance", market: nil, status: "open").count == 31)
        // Re-arm is refused while the rate still holds, unless forced.
        await #expect(throws: Daemon.RearmError.conditionStillHolds(ruleId: "runaway")) {
            try await daemon.rearm(incidentId: incident, operator: "bob", reason: "try", force: false)
        }
        // A new order inside the tripped scope is cancelled on sight.
        _ = try await harness.sim.seed([SimOrderSeed(exchange: "gate", market: "spot", symbol: "ETH_USDT", id: "555", side: "buy", price: "1", quantity: "1", apiKey: "test-api-key")])
        _ = try await daemon.ingest([.success(OrderEvent(eventId: "late", venueId: "gate-spot", account: "main", symbol: "ETH_USDT", venueOrderId: "555",
                                                         clientOrderId: nil, status: .acknowledged))])
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(await harness.sim.orders(exchange: "gate", market: "spot", status: "open").isEmpty)
        try await daemon.rearm(incidentId: incident, operator: "bob", reason: "forced after review", force: true)
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'rearm-forced' AND actor = 'bob'") == 1)
    }
}
}
