import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
@testable import VenueSim

/// A keep rule is no hiding place: kept notional above `max_kept_notional` voids the keep, and the kept orders
/// are cancelled like any other — at a trip, and by a trip of the entry when the cap is crossed.
extension EngineIntegration {
@Suite(.serialized) struct KeptNotionalCapTests {
    static let spec = EngineHarness.specs.first { $0.id == "binance" }!

    @Test func aTripCancelsKeptOrdersWhoseNotionalIsOverTheCap() async throws {
        // Four tracked kept orders of 100 notional each: 400, over a cap of 250.
        let harness = try await EngineHarness.start(engine: KeepRulesTests.engine(.byId), keep: ["binance": ScopedBook.keep(Self.spec, cap: "250")])
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        let book = try await ScopedBook.seed(Self.spec, harness: harness, store: daemon.store)
        let incident = await daemon.engine.trip(scope: book.scope, reason: "cap drill", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        let ledger = await book.ledger(harness)
        #expect(book.kept.filter { ledger[$0] != "cancelled" } == [], "the keep is void: kept orders, reported or not, are cancelled")
        #expect(book.outside.filter { ledger[$0] != "open" } == [])
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'keep-void' AND incident_id = \(incident)") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'kept' AND incident_id = \(incident)") == 0)
    }

    @Test func crossingTheCapTripsTheEntry() async throws {
        let harness = try await EngineHarness.start(engine: KeepRulesTests.engine(.byId), keep: ["binance": ScopedBook.keep(Self.spec, cap: "250")])
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        #expect(await daemon.engine.latchedIncidents.isEmpty)
        let book = try await ScopedBook.seed(Self.spec, harness: harness, store: daemon.store, through: daemon)
        let latched = await daemon.engine.latchedIncidents
        #expect(latched.map(\.scope) == [Scope(venue: "binance")])
        #expect(latched.first?.reason.contains("max_kept_notional") == true)
        let incident = try #require(latched.first?.id)
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        let ledger = await book.ledger(harness)
        #expect(book.kept.filter { ledger[$0] != "cancelled" } == [])
        #expect(book.inScope.filter { ledger[$0] != "cancelled" } == [], "the entry was tripped whole")
    }

    @Test func underTheCapNothingTrips() async throws {
        let harness = try await EngineHarness.start(engine: KeepRulesTests.engine(.byId), keep: ["binance": ScopedBook.keep(Self.spec, cap: "400")])
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        _ = try await ScopedBook.seed(Self.spec, harness: harness, store: daemon.store, through: daemon)
        #expect(await daemon.engine.latchedIncidents.isEmpty, "400 is not above a cap of 400")
    }
}
}
