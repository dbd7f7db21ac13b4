import Foundation
import Testing
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
@testable import VenueSim

/// The engine's integration suites run one at a time: each drives thousands of requests through a real
/// simulator, and their time limits assume they don't share the 2 cores with each other.
@Suite(.serialized) enum EngineIntegration {}

/// The trip engine against venue-sim over real HTTP on a loopback port.
extension EngineIntegration {
@Suite(.serialized) struct FanOutTests {
    @Test func everyOrderOnEveryVenueIsCancelledWithinTheLimits() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 500, store: daemon.store)
        let incident = await daemon.engine.trip(scope: .everything, reason: "test", actor: "tests")
        let outcome = await daemon.engine.waitForIncident(incident)
        #expect(outcome == .flat)

        // The venue agrees: nothing open anywhere, and nothing was refused for rate.
        let open = await harness.sim.orders(exchange: nil, market: nil, status: "open")
        #expect(open.isEmpty)
        let cancelled = await harness.sim.orders(exchange: nil, market: nil, status: "cancelled")
        #expect(cancelled.count == 2_500)
        let log = await harness.sim.requests(since: 0)
        let refused = log.filter { $0.verdict == "rate-limited" }
        #expect(refused.isEmpty, "refused: \(refused.map { "\($0.exchange) \($0.path) at \($0.receivedAtMs % 100_000)" }); arrivals on their keys: \(log.filter { entry in refused.contains { $0.limitKey == entry.limitKey } }.map { "\($0.receivedAtMs % 100_000) \($0.verdict)" })")
        #expect(log.allSatisfy { $0.verdict == "ok" })

        // One outcome row per order per cancel request, every order terminal, every intent answered.
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        let perRequest = "FROM cancel_outcomes o JOIN cancel_intents i ON i.id = o.intent_id WHERE o.incident_id = \(incident) AND i.kind = 'batch-cancel'"
        #expect(try db.scalarInt("SELECT count(*) \(perRequest)") == 2_500)
        #expect(try db.scalarInt("SELECT count(DISTINCT o.order_id) \(perRequest) AND o.attempt = 1") == 2_500)
        // HTX only says "submitted": its 500 are pending, then confirmed by listing (linked to the listing's intent).
        let htxAnswers = try db.scalarText("""
            SELECT group_concat(o.outcome || ':' || coalesce(r.transport_error, r.http_status), ' ') FROM cancel_outcomes o
            JOIN cancel_intents i ON i.id = o.intent_id LEFT JOIN cancel_responses r ON r.intent_id = i.id
            WHERE i.venue_id = 'htx' AND i.kind = 'batch-cancel' AND o.outcome != 'pending'
            """) ?? ""
        #expect(try db.scalarInt("SELECT count(*) \(perRequest) AND o.outcome = 'pending'") == 500, "HTX answers other than pending: \(htxAnswers.prefix(500))")
        #expect(try db.scalarInt("""
            SELECT count(DISTINCT o.order_id) FROM cancel_outcomes o JOIN cancel_intents i ON i.id = o.intent_id
            WHERE i.kind = 'list-open' AND i.venue_id = 'htx' AND o.outcome = 'cancelled'
            """) == 500)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents i LEFT JOIN cancel_responses r ON r.intent_id = i.id WHERE r.id IS NULL") == 0)
        #expect(try db.scalarInt("SELECT count(*) FROM orders WHERE status IN ('new','acknowledged','partiallyFilled')") == 0)
        #expect(try db.scalarText("SELECT state FROM incidents WHERE id = \(incident)") == "flat")
        // Batches respect each venue's limit and grouping: Binance 10 per request and one symbol (4 × ⌈125/10⌉),
        // Bitget 50 and one symbol (4 × ⌈125/50⌉), Gate 20 across pairs, HTX 50 across symbols.
        let requests = { (venue: String) in try db.scalarInt("SELECT count(*) FROM cancel_intents WHERE venue_id = '\(venue)' AND kind = 'batch-cancel'") }
        #expect(try requests("binance") == 52)
        #expect(try requests("bitget") == 12)
        #expect(try requests("gate-spot") == 25)
        #expect(try requests("gate-fut") == 25)
        #expect(try requests("htx") == 10)
    }

    @Test func aScopedTripLeavesEverythingElseAlone() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 40, store: daemon.store)
        let incident = await daemon.engine.trip(scope: Scope(venue: "binance", symbol: "BTCUSD_PERP"), reason: "scoped", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        let cancelled = await harness.sim.orders(exchange: nil, market: nil, status: "cancelled")
        #expect(cancelled.count == 10)
        #expect(cancelled.allSatisfy { $0.exchange == "binance" && $0.symbol == "BTCUSD_PERP" })
        #expect(await harness.sim.orders(exchange: nil, market: nil, status: "open").count == 190)
        let gate = await daemon.engine.gate(venue: "binance", account: "main", symbol: "BTCUSD_PERP")
        #expect(gate.allowed == false)
        #expect(gate.incident == incident)
        #expect(await daemon.engine.gate(venue: "binance", account: "main", symbol: "ETHUSD_PERP").allowed)
    }

    @Test func ordersTheTrackerNeverKnewAreFoundByTheFinalListing() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 5, store: daemon.store)
        // Orders on the venue that no trading system reported.
        _ = try await harness.sim.seed((0..<7).map { i in
            SimOrderSeed(exchange: "htx", market: "spot", symbol: "btcusdt", id: "77700\(i)", side: "buy", price: "1", quantity: "1", apiKey: "test-api-key")
        })
        let incident = await daemon.engine.trip(scope: Scope(venue: "htx"), reason: "sweep", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(await harness.sim.orders(exchange: "htx", market: nil, status: "open").isEmpty)
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM order_events WHERE source = 'sync'") == 7)
    }

    @Test func badCredentialsEndIncompleteWithRejectedWhileOthersFinish() async throws {
        let harness = try await EngineHarness.start(badCredentialsFor: ["bitget"])
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 60, store: daemon.store)
        let incident = await daemon.engine.trip(scope: .everything, reason: "bad key", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .incomplete)
        #expect(await harness.sim.orders(exchange: "bitget", market: nil, status: "open").count == 60)
        #expect(await harness.sim.orders(exchange: "gate", market: nil, status: "open").isEmpty)
        #expect(await harness.sim.orders(exchange: "htx", market: nil, status: "open").isEmpty)
        #expect(await harness.sim.orders(exchange: "binance", market: nil, status: "open").isEmpty)
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(DISTINCT order_id) FROM cancel_outcomes o JOIN orders ON orders.id = o.order_id WHERE orders.venue_id = 'bitget' AND outcome = 'rejected'") == 60)
        let summary = try #require(try db.scalarText("SELECT summary FROM incidents WHERE id = \(incident)"))
        #expect(summary.contains("\"venue\":\"bitget\""))
        #expect(!summary.contains("wrong-secret"))
    }
}

}

extension EngineIntegration {
@Suite(.serialized) struct FanOutUnderFaultsTests {
    @Test func everyOrderReachesATerminalOutcomeUnderFaults() async throws {
        var simConfiguration = VenueSimConfiguration()
        simConfiguration.seed = 7
        let harness = try await EngineHarness.start(simConfiguration: simConfiguration)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 200, store: daemon.store)
        func faults(_ exchange: String, burst: Bool) -> SimFaults {
            SimFaults(exchange: exchange, errorRate: 0.2, timeoutRate: 0.05, partialFailureRate: 0.2, fillWhileCancellingRate: 0.05, forceRateLimit: burst)
        }
        for exchange in ["gate", "htx", "bitget", "binance"] {
            try await harness.sim.setFaults(faults(exchange, burst: exchange == "binance"))
        }
        let incident = await daemon.engine.trip(scope: .everything, reason: "faults", actor: "tests")
        // One forced rate-limit burst on Binance: lift it once the venue has refused a request for rate.
        var burstSeen = false
        let giveUp = ContinuousClock.now + .seconds(10)
        while !burstSeen && ContinuousClock.now < giveUp {
            burstSeen = await harness.sim.requests(since: 0).contains { $0.verdict == "fault:rate-limit" }
            if !burstSeen { try await Task.sleep(for: .milliseconds(2)) }
        }
        #expect(burstSeen)
        try await harness.sim.setFaults(faults("binance", burst: false))
        let result = await daemon.engine.waitForIncident(incident)
        #expect(result == .flat)
        if result != .flat {
            let dbg = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
            print("DEBUG-SUMMARY", try dbg.scalarText("SELECT summary FROM incidents").map { String($0.prefix(3000)) } ?? "")
            print("DEBUG-VERDICTS", Dictionary(grouping: await harness.sim.requests(since: 0), by: { "\($0.exchange)/\($0.market) \($0.path) \($0.verdict)" }).mapValues(\.count))
        }
        #expect(await harness.sim.orders(exchange: nil, market: nil, status: "open").isEmpty)
        let log = await harness.sim.requests(since: 0)
        #expect(log.contains { $0.verdict.hasPrefix("fault:") })
        #expect(log.contains { $0.verdict == "fault:rate-limit" })
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        // Every tracked order ends with a terminal outcome in this incident.
        #expect(try db.scalarInt("""
            SELECT count(*) FROM orders WHERE id NOT IN (
                SELECT order_id FROM cancel_outcomes WHERE incident_id = \(incident) AND outcome IN ('cancelled', 'alreadyClosed'))
            """) == 0)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_outcomes WHERE incident_id = \(incident) AND outcome = 'alreadyClosed'")! > 0)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_outcomes WHERE incident_id = \(incident) AND outcome IN ('retryable', 'unknown')")! > 0)
    }
}
}
