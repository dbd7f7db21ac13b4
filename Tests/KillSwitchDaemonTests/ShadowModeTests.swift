import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
@testable import KillSwitchDaemon
import KillSwitchStore
@testable import VenueSim

/// `[engine] mode = "shadow"` against venue-sim: a trip is planned and recorded as a live one would be, and
/// nothing that cancels leaves — no batch cancel, no cancel probe — while status and the gate say so.
extension EngineIntegration {
@Suite(.serialized, .timeLimit(.minutes(1))) struct ShadowModeTests {
    static var shadowEngine: EngineSettings {
        var engine = EngineSettings(incidentDeadline: .seconds(30), retryInitial: .milliseconds(20), retryMax: .milliseconds(100), safetyMargin: 0)
        engine.mode = .shadow
        return engine
    }

    static func spec(_ id: String) -> EngineHarness.VenueSpec { EngineHarness.specs.first { $0.id == id }! }

    @Test func aShadowTripListsPlansAndRecordsButSendsNoCancel() async throws {
        let harness = try await EngineHarness.start(engine: Self.shadowEngine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 25, store: daemon.store, venues: [Self.spec("gate-fut"), Self.spec("binance")])
        // An order no bot reported: a live trip would find it by listing, so the shadow plan must too.
        _ = try await harness.sim.seed([
            SimOrderSeed(exchange: "binance", market: "futures", symbol: "BTCUSD_PERP", id: "9001", side: "buy", price: "100", quantity: "1", apiKey: "test-api-key"),
        ])
        let before = await harness.sim.requests(since: 0).count
        let events = daemon.events.subscribe()

        let incident = await daemon.engine.trip(scope: Scope(), reason: "shadow drill", actor: "tests")

        // Nothing left but listings: every request the trip made is a read.
        let sent = await harness.sim.requests(since: 0).dropFirst(before)
        #expect(!sent.isEmpty, "the venues in scope were listed")
        #expect(sent.allSatisfy { $0.method == "GET" }, "\(sent.filter { $0.method != "GET" }.map { "\($0.method) \($0.path)" })")
        #expect(await harness.sim.orders(exchange: "gate", market: "futures", status: "open").count == 25)
        #expect(await harness.sim.orders(exchange: "binance", market: nil, status: "open").count == 26)

        // Recorded as a live trip would be planned: intents of kind shadow covering every open order, none answered by a venue.
        let stored = try #require(try await daemon.store.incident(id: incident))
        #expect(stored.state == .shadow)
        let plan = try JSONDecoder().decode(ShadowPlanSummary.self, from: Data(try #require(stored.summary).utf8))
        #expect(plan.venues.first { $0.venue == "binance" }?.orders == 26 && plan.venues.reduce(0) { $0 + $1.orders } == 51, "\(plan)")
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents WHERE incident_id = \(incident) AND kind <> 'shadow'") == 0)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents WHERE incident_id = \(incident) AND venue_id = 'binance'") == 4, "one batch per symbol: 26 orders on 4 symbols, none above 10")
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents WHERE incident_id = \(incident) AND venue_id = 'gate-fut'") ?? 0 >= 1)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_outcomes WHERE incident_id = \(incident)") == 0, "no order has an outcome: nothing was sent")
        #expect(try db.scalarInt("SELECT sum(json_array_length(order_ids)) FROM cancel_intents WHERE incident_id = \(incident)") == 51)

        // The gate lets orders through and says what a live daemon would have answered.
        let gate = await daemon.engine.gate(venue: "binance", account: "main", symbol: "BTCUSD_PERP")
        #expect(gate.allowed && gate.wouldBlock == true && gate.incident == incident)
        let status = try await daemon.statusReport()
        #expect(status.mode == "shadow")
        #expect(status.protection == "unprotected")
        #expect(PrometheusText(daemon.metrics.emitToString()).value("killswitch_shadow_mode", [:]) == 1, "/metrics says unprotected too")
        #expect(status.incidents.first { $0.id == incident }?.state == "shadow")
        // A shadow trip pages nobody: no tripped event was published.
        // A live trip publishes `.tripped` before `trip` returns, so a marker published now comes after it:
        // everything before the marker is what the trip published.
        daemon.events.publish(.storage(ok: true, detail: "marker: the shadow trip has returned"))
        var published: [DaemonEvent] = []
        for await event in events {
            if case .storage(_, let detail) = event, detail.hasPrefix("marker:") { break }
            published.append(event)
        }
        #expect(!published.contains { if case .tripped = $0 { true } else { false } }, "\(published)")

        // Orders learned inside the latched scope are not cancelled on sight either.
        #expect(await daemon.engine.sweepLatched() == 0)
        #expect(await harness.sim.requests(since: 0).dropFirst(before).allSatisfy { $0.method == "GET" })
        // Re-arming ends it as usual.
        try await daemon.rearm(incidentId: incident, operator: "tests", reason: "shadow drill over", force: true)
        #expect(await daemon.engine.gate(venue: "binance", account: "main", symbol: "BTCUSD_PERP") == .init(allowed: true, incident: nil, reason: nil))
    }

    @Test func theArmedCheckSendsNoCancelProbeInShadowMode() async throws {
        let harness = try await EngineHarness.start(engine: Self.shadowEngine)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon(warmConnections: false)
        defer { Task { try? await daemon.shutdown() } }
        let (reports, sink) = AsyncStream<VenueMaintainer.Report>.makeStream()
        let service = VenueMaintenanceService(daemon: daemon, clock: ManualClock(), observe: { sink.yield($0) })
        let task = Task { try await service.run() }
        defer { task.cancel() }
        var checked: Set<String> = []
        for await report in reports {
            if case .armedChecked(let venue, let ok) = report {
                #expect(ok, "\(venue)")
                checked.insert(venue)
            }
            if checked.count == daemon.clients.count { break }
        }
        let writes = await harness.sim.requests(since: 0).filter { $0.method != "GET" }
        #expect(writes.isEmpty, "\(writes.map { "\($0.method) \($0.path)" })")
        #expect(daemon.health.health("binance").armedCheckOK == true)
    }
}
}
