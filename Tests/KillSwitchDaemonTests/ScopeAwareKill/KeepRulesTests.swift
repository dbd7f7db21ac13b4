import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
@testable import VenueSim

/// Keep rules and the one eligibility check, per venue kind and under both strategies, against venue-sim's
/// ledger order by order: a kept order and an order outside the scope survive the trip — by id, by cancel-all
/// and by by-id's escalation alike — and everything in scope is cancelled.
extension EngineIntegration {
@Suite(.serialized) struct KeepRulesTests {
    static func engine(_ strategy: CancelStrategy, deadline: Duration = .seconds(20), escalateAfter: Int = 3) -> EngineSettings {
        var engine = EngineSettings(incidentDeadline: deadline, retryInitial: .milliseconds(20), retryMax: .milliseconds(100), safetyMargin: 0,
                                    escalateAfter: escalateAfter, keepTryingInitial: .seconds(30), keepTryingMax: .seconds(30), latchedSweepEvery: .seconds(600))
        engine.strategy = strategy
        return engine
    }

    static func spec(_ id: String) -> EngineHarness.VenueSpec { EngineHarness.specs.first { $0.id == id }! }

    @Test(arguments: EngineHarness.specs.map(\.id), [CancelStrategy.auto, .byId])
    func keptOrdersAndOrdersOutsideTheScopeSurviveATrip(venue: String, strategy: CancelStrategy) async throws {
        let spec = Self.spec(venue)
        let harness = try await EngineHarness.start(engine: Self.engine(strategy), strategy: strategy, keep: [venue: ScopedBook.keep(spec)])
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        let book = try await ScopedBook.seed(spec, harness: harness, store: daemon.store)
        let before = await harness.sim.requests().count

        let incident = await daemon.engine.trip(scope: book.scope, reason: "keep drill", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        #expect(await book.misplaced(harness) == [])
        #expect(await ScopedBook.wholesaleRequests(harness, exchange: spec.exchange, since: before).isEmpty, "an entry with keep rules is never cancelled wholesale")
        // The audit lists the kept orders the tracker knew, and no kept order was ever named in a request.
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'kept' AND incident_id = \(incident) AND detail LIKE '%\"kept\":\"4\"%'") == 1)
        let named = await harness.sim.requests(since: before).filter { $0.exchange == spec.exchange && $0.method != "GET" }.flatMap(\.orderIds)
        #expect(Set(named).isDisjoint(with: book.kept + book.outside), "no cancel touched a kept or outside order")
        // Placed after flat, a kept order stays and the latched sweep leaves it alone.
        _ = try await harness.sim.seed([SimOrderSeed(exchange: spec.exchange, market: spec.market, settle: spec.settle, productType: spec.productType,
                                                     symbol: spec.symbols[0], id: "599999", clientOrderId: ScopedBook.clientPrefix(spec) + "hedge-late",
                                                     side: "buy", price: "100", quantity: "1", apiKey: "test-api-key", account: spec.kind == .gateSpot ? "spot" : nil)])
        #expect(await daemon.engine.sweepLatched() == 0)
        #expect(await book.ledger(harness)["599999"] == "open")
    }

    @Test(arguments: EngineHarness.specs.map(\.id), [CancelStrategy.auto, .byId])
    func escalationNeverCancelsWholesaleAnEntryWithKeepRules(venue: String, strategy: CancelStrategy) async throws {
        let spec = Self.spec(venue)
        let harness = try await EngineHarness.start(engine: Self.engine(strategy, deadline: .seconds(1), escalateAfter: 1), strategy: strategy, keep: [venue: ScopedBook.keep(spec)])
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        let book = try await ScopedBook.seed(spec, harness: harness, store: daemon.store, perGroup: 2)
        // Every cancel of every order fails with the venue's retryable answer: each symbol escalates at once.
        try await harness.sim.setFaults(SimFaults(exchange: spec.exchange, market: spec.market, partialFailureRate: 1))
        let before = await harness.sim.requests().count
        let incident = await daemon.engine.trip(scope: book.scope, reason: "escalation drill", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .incomplete)
        #expect(await ScopedBook.wholesaleRequests(harness, exchange: spec.exchange, since: before).isEmpty)
        #expect(await book.misplaced(harness, inScopeCancelled: false) == [])
    }

    /// The control for the test above: the same drill on an entry without keep rules does escalate to the
    /// venue's per-symbol cancel-all (Bitget has none), so the test above can see one when it happens.
    @Test(arguments: EngineHarness.specs.filter { $0.kind.hasSymbolCancelAll }.map(\.id))
    func withoutKeepRulesTheSameDrillEscalatesToTheSymbolsCancelAll(venue: String) async throws {
        let spec = Self.spec(venue)
        let harness = try await EngineHarness.start(engine: Self.engine(.byId, deadline: .seconds(1), escalateAfter: 1))
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        let book = try await ScopedBook.seed(spec, harness: harness, store: daemon.store, perGroup: 2)
        try await harness.sim.setFaults(SimFaults(exchange: spec.exchange, market: spec.market, partialFailureRate: 1))
        let before = await harness.sim.requests().count
        let incident = await daemon.engine.trip(scope: book.scope, reason: "escalation control", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .incomplete)
        let wholesale = await ScopedBook.wholesaleRequests(harness, exchange: spec.exchange, since: before)
        #expect(!wholesale.isEmpty)
        // Never wider than the scope: the per-symbol cancel-all touched only the tripped symbol's orders.
        #expect(Set(wholesale.flatMap(\.orderIds)).isDisjoint(with: book.outside))
    }
}
}
