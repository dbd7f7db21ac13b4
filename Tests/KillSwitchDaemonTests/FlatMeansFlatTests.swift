import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
import Logging
@testable import VenueSim

/// The safety promise end to end against venue-sim: `flat` is a venue fact, and a latched scope is never
/// abandoned — kept trying after its deadline, swept while latched, and left alone once re-armed.
extension EngineIntegration {
@Suite(.serialized) struct FlatMeansFlatTests {
    static let quickEngine = EngineSettings(incidentDeadline: .seconds(1), retryInitial: .milliseconds(20), retryMax: .milliseconds(100), safetyMargin: 0,
                                            escalateAfter: 3, keepTryingInitial: .milliseconds(100), keepTryingMax: .milliseconds(300),
                                            latchedSweepEvery: .seconds(10))

    static func spec(_ id: String) -> EngineHarness.VenueSpec { EngineHarness.specs.first { $0.id == id }! }

    @Test func aVenueAnswering5xxPastTheDeadlineEndsIncompleteKeepsTryingAndEndsFlatOnceItRecovers() async throws {
        let harness = try await EngineHarness.start(engine: Self.quickEngine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 30, store: daemon.store, venues: [Self.spec("gate-fut")])
        try await harness.sim.setFaults(SimFaults(exchange: "gate", market: "futures", errorRate: 1))
        let events = daemon.events.subscribe()

        let incident = await daemon.engine.trip(scope: Scope(venue: "gate-fut"), reason: "5xx drill", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .incomplete)
        #expect(try await daemon.store.incident(id: incident)?.state == .incomplete)
        // Past its deadline the scope is not abandoned: another attempt is scheduled, with nothing reserved.
        let state = await daemon.engine.runState(of: incident)
        #expect(state == .keepTrying || state == .starting || state == .running)
        #expect(await harness.sim.orders(exchange: "gate", market: "futures", status: "open").count == 30)

        // The venue recovers; nobody does anything; the incident ends flat by itself.
        await harness.sim.clearFaults()
        #expect(await EventWait.ended(events, incident: incident, outcome: .flat, within: .seconds(20)))
        #expect(await harness.sim.orders(exchange: "gate", market: "futures", status: "open").isEmpty)
        #expect(try await daemon.store.incident(id: incident)?.state == .flat)
        #expect(await daemon.engine.runState(of: incident) == .ended)
    }

    @Test func anOrderPlacedAfterFlatInALatchedScopeIsCancelledOnSightByTheLatchedSweep() async throws {
        let harness = try await EngineHarness.start(engine: Self.quickEngine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 10, store: daemon.store, venues: [Self.spec("binance"), Self.spec("bitget")])
        let incident = await daemon.engine.trip(scope: Scope(venue: "binance"), reason: "sweep drill", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(await daemon.engine.sweepLatched() == 0, "a flat venue stays flat: nothing found")

        // A bot that ignores the gate places orders on the venue (the daemon never hears of them), inside the
        // scope and outside it.
        _ = try await harness.sim.seed([
            SimOrderSeed(exchange: "binance", market: "futures", symbol: "BTCUSD_PERP", id: "7001", clientOrderId: "rogue-1", side: "buy", price: "100", quantity: "1", apiKey: "test-api-key"),
            SimOrderSeed(exchange: "binance", market: "futures", symbol: "ETHUSD_PERP", id: "7002", side: "sell", price: "100", quantity: "1", apiKey: "test-api-key"),
            SimOrderSeed(exchange: "bitget", market: "futures", productType: "USDT-FUTURES", symbol: "BTCUSDT", id: "7003", side: "buy", price: "100", quantity: "1", apiKey: "test-api-key"),
        ])
        let events = daemon.events.subscribe()
        #expect(await daemon.engine.sweepLatched() == 2)
        #expect(await EventWait.ended(events, incident: incident, outcome: .flat, within: .seconds(10)))
        #expect(await harness.sim.orders(exchange: "binance", market: nil, status: "open").isEmpty)
        #expect(await harness.sim.orders(exchange: "bitget", market: nil, status: "open").count == 11, "outside the scope: untouched")
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'incident-reopen' AND incident_id = \(incident)") == 1)
        // Recorded order by order: both found orders have a cancelled outcome in the incident.
        #expect(try db.scalarInt("""
            SELECT count(DISTINCT o.order_id) FROM cancel_outcomes o JOIN orders r ON r.id = o.order_id
            WHERE o.incident_id = \(incident) AND o.outcome = 'cancelled' AND r.venue_order_id IN ('7001', '7002')
            """) == 2)
    }

    @Test func rearmMidFanOutStartsNothingMore() async throws {
        let harness = try await EngineHarness.start(engine: EngineSettings(incidentDeadline: .seconds(60), retryInitial: .milliseconds(20), retryMax: .milliseconds(100), safetyMargin: 0))
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        // Bitget takes 10 batch cancels a second: 1,000 orders are 20+ requests, over two seconds of fan-out.
        try await harness.seed(perVenue: 1_000, store: daemon.store, venues: [Self.spec("bitget")])
        try await harness.sim.setRateLimit(SimRateLimitOverride(exchange: "bitget", capacity: 2, windowMs: 1_000))
        let incident = await daemon.engine.trip(scope: Scope(venue: "bitget"), reason: "rearm drill", actor: "tests")
        while await harness.sim.orders(exchange: "bitget", market: nil, status: "cancelled").isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        try await daemon.rearm(incidentId: incident, operator: "alice", reason: "false alarm", force: true)
        let rearmedAt = harness.sim.nowMilliseconds()
        // The fan-out ends as stopped (no outcome), and a request already on the wire is the last.
        #expect(await daemon.engine.waitForIncident(incident) == nil)
        let cancelledAtRearm = await harness.sim.orders(exchange: "bitget", market: nil, status: "cancelled").count
        #expect(cancelledAtRearm < 1_000)

        // New orders in the (no longer tripped) scope: reported by the bot and placed on the venue.
        _ = try await harness.sim.seed((0..<5).map { SimOrderSeed(exchange: "bitget", market: "futures", productType: "USDT-FUTURES", symbol: "BTCUSDT", id: "8\($0)", side: "buy", price: "1", quantity: "1", apiKey: "test-api-key") })
        _ = try await daemon.ingest((0..<5).map { .success(OrderEvent(eventId: "after-rearm-\($0)", venueId: "bitget", account: "main", symbol: "BTCUSDT",
                                                                          venueOrderId: "8\($0)", clientOrderId: nil, status: .new, side: .buy,
                                                                          price: DecimalAmount("1"), quantity: DecimalAmount("1"))) })
        #expect(await daemon.engine.sweepLatched() == 0)
        #expect(await daemon.engine.gate(venue: "bitget", account: "main", symbol: "BTCUSDT").allowed)
        let open = await harness.sim.orders(exchange: "bitget", market: nil, status: "open")
        #expect(open.filter { $0.id.hasPrefix("8") && $0.id.count == 2 }.count == 5, "none of the orders placed after the re-arm is cancelled")
        #expect(await harness.sim.orders(exchange: "bitget", market: nil, status: "cancelled").count == cancelledAtRearm)
        // No cancel request reached the venue after the re-arm returned, beyond one already on the wire.
        let late = await harness.sim.requests().filter { $0.exchange == "bitget" && $0.receivedAtMs > rearmedAt + 50 && $0.path.contains("cancel") }
        #expect(late.isEmpty, "\(late.count) cancel requests arrived after the re-arm")
        #expect(try await daemon.store.incident(id: incident)?.state == .incomplete)
    }

    @Test func aSymbolWrittenInAnotherCaseIsStillCancelledAndAnUnknownOneIsNamed() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 8, store: daemon.store, venues: [Self.spec("binance"), Self.spec("htx")])
        let binance = await daemon.engine.trip(scope: Scope(venue: "binance", symbol: "btcusd_perp"), reason: "lower case", actor: "tests")
        #expect(await daemon.engine.waitForIncident(binance) == .flat)
        let htx = await daemon.engine.trip(scope: Scope(venue: "htx", symbol: "BTCUSDT"), reason: "upper case", actor: "tests")
        #expect(await daemon.engine.waitForIncident(htx) == .flat)
        let open = await harness.sim.orders(exchange: nil, market: nil, status: "open")
        #expect(!open.contains { $0.symbol.lowercased() == "btcusd_perp" || $0.symbol == "btcusdt" }, "every order on the tripped symbol is cancelled")
        #expect(open.count == 12)
        #expect(await daemon.engine.gate(venue: "binance", account: "main", symbol: "BTCUSD_PERP").allowed == false)
        // A symbol nobody has seen latches anyway, with a warning naming what was probably meant.
        let warning = try #require(await daemon.unknownSymbolWarning(Scope(venue: "binance", symbol: "BTCUSDPERP")))
        #expect(warning.contains("BTCUSD_PERP"))
        #expect(await daemon.unknownSymbolWarning(Scope(venue: "binance", symbol: "ETHUSD_PERP")) == nil)
    }

    @Test(arguments: ["no-credentials", "disabled"])
    func aVenueInScopeThatCannotBeWorkedMakesTheIncidentIncompleteNeverFlat(why: String) async throws {
        let harness = try await EngineHarness.start(engine: Self.quickEngine)
        defer { Task { await harness.shutdown() } }
        var configuration = harness.configuration
        var credentials = harness.credentials
        if why == "disabled" {
            let index = configuration.venues.firstIndex { $0.descriptor.id == "htx" }!
            configuration.venues[index].descriptor.enabled = false
        } else {
            credentials["htx"] = nil
        }
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let daemon = try await Daemon(configuration: configuration, credentials: credentials, logger: logger)
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 4, store: daemon.store, venues: [Self.spec("htx"), Self.spec("binance")])
        let incident = await daemon.engine.trip(scope: .everything, reason: "unworkable venue", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .incomplete)
        let summary = try #require(try await daemon.store.incident(id: incident)?.summary)
        #expect(summary.contains(why == "disabled" ? "disabled" : "no venue client"))
        #expect(await harness.sim.orders(exchange: "binance", market: nil, status: "open").isEmpty, "the workable venues are cancelled")
        #expect(await harness.sim.orders(exchange: "htx", market: nil, status: "open").count == 4)
        #expect(await harness.sim.requests().allSatisfy { $0.exchange != "htx" }, "a disabled or keyless venue is never contacted")
    }

    @Test func aFailedIntentWriteStillLetsTheFanOutFinish() async throws {
        let harness = try await EngineHarness.start(engine: EngineSettings(incidentDeadline: .seconds(8), retryInitial: .milliseconds(20), retryMax: .milliseconds(100), safetyMargin: 0))
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 40, store: daemon.store, venues: [Self.spec("binance")])
        // The first fan-out step's intents (4 batches) cannot be written — neither with the incident (the trip's
        // one commit, rolled back: the incident is opened alone) nor on their own: nothing is sent, and each batch
        // comes back once, so the machine's count of requests in flight returns to zero.
        daemon.store.faults.failWrites(of: "recordIntents", times: 2, as: .refused)
        let incident = await daemon.engine.trip(scope: Scope(venue: "binance"), reason: "intent fault", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(await harness.sim.orders(exchange: "binance", market: nil, status: "open").isEmpty)
    }

    @Test func endedIncidentsAreForgottenBeyondABound() async throws {
        let harness = try await EngineHarness.start(engine: Self.quickEngine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        for i in 0..<70 {
            let incident = await daemon.engine.trip(scope: Scope(venue: "binance", symbol: "BTCUSD_PERP"), reason: "drill \(i)", actor: "tests")
            #expect(await daemon.engine.waitForIncident(incident) == .flat)
            try await daemon.rearm(incidentId: incident, operator: "alice", reason: "drill", force: true)
        }
        #expect(await daemon.engine.trackedIncidents <= 64)
    }
}
}

extension EngineIntegration {
/// Limits as the venue enforces them, against venue-sim's own strict counting.
@Suite(.serialized) struct VenueLimitTests {
    @Test func aBinanceBanHoldsEveryRequestToTheIPUntilItEndsAndTheTripStillEndsFlat() async throws {
        let harness = try await EngineHarness.start(engine: EngineSettings(incidentDeadline: .seconds(30), retryInitial: .milliseconds(20), retryMax: .milliseconds(200), safetyMargin: 0))
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 20, store: daemon.store, venues: [FlatMeansFlatTests.spec("binance")])
        let before = await harness.sim.requests().count
        try await harness.sim.banBinanceIP(forMilliseconds: 2_000)
        let started = ContinuousClock.now
        let incident = await daemon.engine.trip(scope: Scope(venue: "binance"), reason: "ban drill", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(ContinuousClock.now - started >= .milliseconds(1_900), "nothing could be cancelled during the ban")
        #expect(await harness.sim.orders(exchange: "binance", market: nil, status: "open").isEmpty)
        // Only the first burst met the ban; everything after waited for its end instead of hammering the IP.
        let log = await harness.sim.requests().dropFirst(before).filter { $0.exchange == "binance" }
        let banned = log.filter { $0.status == 418 }
        #expect(!banned.isEmpty)
        #expect(banned.count <= 4, "\(banned.count) requests were sent into the ban")
        let lastBanned = banned.map(\.receivedAtMs).max() ?? 0
        let firstBanned = banned.map(\.receivedAtMs).min() ?? 0
        #expect(lastBanned - firstBanned < 500, "the 418s came from one burst, not from retries during the ban")
    }
}
}
