import Foundation
import Synchronization
import Testing
import KillSwitchCore
@testable import KillSwitchStore

/// A wall clock the test moves by hand, so every recorded time in the fixture is exact.
final class SteppedClock: Sendable {
    private let value = Mutex<Int64>(0)
    static let base: Int64 = 1_700_000_000_000

    func at(_ offset: Int64) { value.withLock { $0 = SteppedClock.base + offset } }
    var wallClock: WallClock { WallClock { self.value.withLock { $0 } } }
}

/// One incident written through the store's own recording API, with every shape the audit must show: a
/// retry, an escalation, a verification listing, a rejected venue, a request never answered, a forced re-arm;
/// and a second, flat incident.
struct AuditFixture {
    let directory = TemporaryDirectory()
    let clock = SteppedClock()
    var path: String { directory.file("ks.db") }
    var ids: [String: Int64] = [:]

    static func make() async throws -> AuditFixture {
        var fixture = AuditFixture()
        try await fixture.write()
        return fixture
    }

    private mutating func write() async throws {
        clock.at(0)
        let store = try Fixtures.store(directory, clock: clock.wallClock)
        var events: [OrderEvent] = []
        for n in 1...4 { events.append(Fixtures.event("e-b\(n)", venueOrderId: "b\(n)", status: .acknowledged)) }
        for n in 1...2 { events.append(Fixtures.event("e-g\(n)", venueOrderId: "g\(n)", status: .acknowledged, symbol: "BTC_USDT", venue: "gate-fut")) }
        events.append(Fixtures.event("e-t1", venueOrderId: "t1", status: .acknowledged, symbol: "BTCUSDT", venue: "bitget-main"))
        for (event, result) in zip(events, try await store.ingest(events)) { ids[event.venueOrderId!] = result.orderId! }
        let ids = self.ids
        func target(_ name: String, _ symbol: String = "BTCUSD_PERP") -> CancelTarget {
            CancelTarget(orderId: ids[name]!, symbol: symbol, venueOrderId: name, clientOrderId: nil)
        }
        func outcome(_ name: String, _ kind: CancelOutcomeKind, _ symbol: String = "BTCUSD_PERP", code: String? = nil) -> OrderCancelOutcome {
            OrderCancelOutcome(target: target(name, symbol), kind: kind, venueCode: code)
        }
        let clock = self.clock
        func intent(_ at: Int64, _ venue: String, _ kind: String, attempt: Int = 1, symbol: String? = nil, _ targets: [CancelTarget]) async throws -> Int64 {
            clock.at(at)
            return try await store.recordIntent(incidentId: 1, attempt: attempt, venueId: venue, symbol: symbol, kind: kind, targets: targets)
        }
        func answer(_ at: Int64, _ intent: Int64, latencyMs: Int64, http: Int? = 200, code: String? = nil, body: String = "{}",
                    _ outcomes: [OrderCancelOutcome], attempts: [String: Int] = [:]) async throws {
            clock.at(at)
            try await store.recordAnswer(incidentId: 1, intentId: intent, httpStatus: http, venueCode: code, rawBody: body,
                                         latencyNanoseconds: latencyMs * 1_000_000, transportError: nil, outcomes: outcomes,
                                         attempts: Dictionary(uniqueKeysWithValues: attempts.map { (ids[$0.key]!, $0.value) }))
        }

        clock.at(1_000)
        _ = try await store.createIncident(scope: .everything, ruleId: "hb-bot7", actor: nil, reason: "heartbeat missed: bot7", deadlineAt: SteppedClock.base + 91_000)
        let a = try await intent(1_010, "binance-main", "batch-cancel", symbol: "BTCUSD_PERP", [target("b1"), target("b2")])
        let b = try await intent(1_012, "gate-fut", "batch-cancel", [target("g1", "BTC_USDT"), target("g2", "BTC_USDT")])
        let c = try await intent(1_015, "bitget-main", "batch-cancel", symbol: "BTCUSDT", [target("t1", "BTCUSDT")])
        try await answer(1_020, c, latencyMs: 5, http: 400, code: "40009", [outcome("t1", .rejected, "BTCUSDT", code: "40009")])
        try await answer(1_030, a, latencyMs: 20, [outcome("b1", .cancelled), outcome("b2", .retryable)])
        try await answer(1_062, b, latencyMs: 50, [outcome("g1", .cancelled, "BTC_USDT"), outcome("g2", .pending, "BTC_USDT")])
        let d = try await intent(1_100, "binance-main", "batch-cancel", attempt: 2, symbol: "BTCUSD_PERP", [target("b2")])
        try await answer(1_110, d, latencyMs: 10, [outcome("b2", .cancelled)], attempts: ["b2": 2])
        let e = try await intent(1_120, "binance-main", "cancel-all", symbol: "BTCUSD_PERP", [])
        try await answer(1_150, e, latencyMs: 30, [])
        let f = try await intent(1_130, "gate-fut", "list-open", [])
        try await answer(1_138, f, latencyMs: 8, body: #"{"purpose":"verify","open":1,"inScope":1}"#, [])
        clock.at(1_140)
        try await store.recordVerified(incidentId: 1, intentId: f, outcomes: [outcome("g2", .cancelled, "BTC_USDT")], attempts: [:])
        _ = try await intent(1_160, "binance-main", "batch-cancel", symbol: "BTCUSD_PERP", [target("b3"), target("b4")])
        clock.at(1_200)
        try await store.finishIncident(id: 1, state: .incomplete, summary: #"{"outcome":"incomplete"}"#)
        clock.at(1_300)
        try await store.rearm(incidentId: 1, operator: "bob", reason: "bitget key rotated", forced: true)

        // Incident 2: flat, manual, 300 ms.
        clock.at(2_000)
        _ = try await store.createIncident(scope: Scope(venue: "gate-fut"), ruleId: nil, actor: "alice", reason: "manual drill", deadlineAt: nil)
        clock.at(2_010)
        let g = try await store.recordIntent(incidentId: 2, attempt: 1, venueId: "gate-fut", symbol: nil, kind: "list-open", targets: [])
        clock.at(2_050)
        try await store.recordAnswer(incidentId: 2, intentId: g, httpStatus: 200, venueCode: nil, rawBody: #"{"purpose":"final","open":0,"inScope":0}"#,
                                     latencyNanoseconds: 40_000_000, transportError: nil, outcomes: [], attempts: [:])
        clock.at(2_300)
        try await store.finishIncident(id: 2, state: .flat, summary: #"{"outcome":"flat"}"#)
    }
}

@Suite struct AuditQueryTests {
    @Test func incidentsListHowEachEndedAndHowMuchItDid() async throws {
        let fixture = try await AuditFixture.make()
        let incidents = try StoreReader(path: fixture.path).auditIncidents()
        #expect(incidents.map(\.id) == [1, 2])
        let first = incidents[0], second = incidents[1]
        #expect(first.state == "incomplete" && first.ruleId == "hb-bot7" && first.actor == nil && first.scope == "everything")
        #expect(first.durationMilliseconds == 200)
        #expect(first.requests == 7)
        #expect(first.orders == 5)
        #expect(first.rearmedBy == "bob")
        #expect(second.state == "flat" && second.actor == "alice" && second.scope == "venue=gate-fut" && second.durationMilliseconds == 300)
        #expect(second.orders == 0 && second.requests == 1 && second.rearmedAt == nil)
    }

    @Test func theTimelineShowsTriggerVenuesRetriesEscalationsAndVerification() async throws {
        let fixture = try await AuditFixture.make()
        let t = try StoreReader(path: fixture.path).auditTimeline(incident: 1)
        #expect(t.state == "incomplete")
        #expect(t.trigger.ruleId == "hb-bot7" && t.trigger.reason == "heartbeat missed: bot7" && t.trigger.trippedAt == SteppedClock.base + 1_000)
        #expect(t.firstRequestAt == SteppedClock.base + 1_010)
        #expect(t.tripToFirstRequestMilliseconds == 10)
        #expect(t.durationMilliseconds == 200)
        #expect(t.timeToFlatMilliseconds == nil)
        #expect(t.requests == 7)

        let venues = Dictionary(uniqueKeysWithValues: t.venues.map { ($0.venueId, $0) })
        #expect(venues.keys.sorted() == ["binance-main", "bitget-main", "gate-fut"])
        let binance = try #require(venues["binance-main"])
        #expect(binance.requests == 4 && binance.cancelRequests == 3 && binance.retries == 1 && binance.escalations == 1 && binance.listings == 0)
        #expect(binance.unanswered == 1)
        // Answered latencies 20, 10, 30 ms: nearest-rank median 20, max 30.
        #expect(binance.latencyP50Microseconds == 20_000 && binance.latencyMaxMicroseconds == 30_000)
        #expect(binance.outcomes == ["cancelled": 2, "retryable": 1])
        #expect(binance.finalOutcomes == ["cancelled": 2, "none": 2])
        #expect(binance.firstSentAt == SteppedClock.base + 1_010 && binance.lastAnsweredAt == SteppedClock.base + 1_150)
        let gate = try #require(venues["gate-fut"])
        #expect(gate.latencyP50Microseconds == 8_000 && gate.latencyMaxMicroseconds == 50_000)
        #expect(gate.outcomes == ["cancelled": 2, "pending": 1] && gate.finalOutcomes == ["cancelled": 2])
        #expect(venues["bitget-main"]?.finalOutcomes == ["rejected": 1])

        #expect(t.retries.map(\.attempt) == [2])
        #expect(t.retries.first?.outcomes == ["cancelled": 1])
        #expect(t.escalations.map(\.symbol) == ["BTCUSD_PERP"])
        #expect(t.verifications.count == 1)
        #expect(t.verifications.first?.purpose == "verify" && t.verifications.first?.listed == 1 && t.verifications.first?.request.outcomes == ["cancelled": 1])
        #expect(t.auditEvents.map(\.kind) == ["trip", "incident-end", "rearm-forced"])
        #expect(t.auditEvents.last?.actor == "bob" && t.auditEvents.last?.detail["reason"] == "bitget key rotated")
        #expect(t.totals == ["cancelled": 4, "rejected": 1, "none": 2])
        #expect(t.orders == 7 && t.outstanding == 2)
        // The event list is in time order and starts with the trip.
        #expect(t.events.first?.kind == "trip")
        #expect(t.events.map(\.at) == t.events.map(\.at).sorted())
        #expect(t.events.filter { $0.kind == "retry" }.count == 1 && t.events.filter { $0.kind == "escalation" }.count == 1)
        #expect(t.events.filter { $0.kind == "listing" }.count == 1)
    }

    @Test func aFlatIncidentHasATimeToFlat() async throws {
        let fixture = try await AuditFixture.make()
        let t = try StoreReader(path: fixture.path).auditTimeline(incident: 2)
        #expect(t.state == "flat" && t.timeToFlatMilliseconds == 300 && t.trigger.actor == "alice" && t.trigger.ruleId == nil)
        #expect(t.verifications.first?.purpose == "final")
    }

    @Test func ordersCarryTheirLatestOutcomeAndFilterByIt() async throws {
        let fixture = try await AuditFixture.make()
        let reader = try StoreReader(path: fixture.path)
        let all = try reader.auditOrders(incident: 1)
        #expect(all.count == 7)
        let byName = Dictionary(uniqueKeysWithValues: all.map { ($0.venueOrderId!, $0) })
        #expect(byName["b2"]?.outcome == .cancelled && byName["b2"]?.attempts == 2)
        #expect(byName["g2"]?.outcome == .cancelled && byName["g2"]?.decidedAt == SteppedClock.base + 1_140)
        #expect(byName["t1"]?.outcome == .rejected && byName["t1"]?.venueCode == "40009")
        // Named in a request that never got an answer: in the list, with no outcome.
        #expect(byName["b3"]?.outcome == nil && byName["b3"]?.attempts == 1)
        #expect(try reader.auditOrders(incident: 1, outcome: .cancelled).compactMap(\.venueOrderId).sorted() == ["b1", "b2", "g1", "g2"])
        #expect(try reader.auditOrders(incident: 1, outcome: .rejected).map(\.venueOrderId) == ["t1"])
        // b2 was retryable first, cancelled last: only the latest outcome counts.
        #expect(try reader.auditOrders(incident: 1, outcome: .retryable).isEmpty)
    }

    @Test func requestsShowTheirAnswersAndOutcomeCounts() async throws {
        let fixture = try await AuditFixture.make()
        let requests = try StoreReader(path: fixture.path).auditRequests(incident: 1)
        #expect(requests.map(\.kind) == ["batch-cancel", "batch-cancel", "batch-cancel", "batch-cancel", "cancel-all", "list-open", "batch-cancel"])
        let bitget = try #require(requests.first { $0.venueId == "bitget-main" })
        #expect(bitget.httpStatus == 400 && bitget.venueCode == "40009" && bitget.latencyMicroseconds == 5_000 && bitget.outcomes == ["rejected": 1])
        #expect(requests[0].orderCount == 2 && requests[0].outcomes == ["cancelled": 1, "retryable": 1] && requests[0].symbol == "BTCUSD_PERP")
        #expect(requests.last?.answeredAt == nil && requests.last?.orderCount == 2)
    }

    @Test func anUnknownIncidentNamesTheIncidentsThereAre() async throws {
        let fixture = try await AuditFixture.make()
        let reader = try StoreReader(path: fixture.path)
        #expect(throws: AuditError.unknownIncident(9, known: 1...2)) { try reader.auditTimeline(incident: 9) }
        #expect(throws: AuditError.unknownIncident(9, known: 1...2)) { try reader.auditOrders(incident: 9) }
        #expect(throws: AuditError.unknownIncident(9, known: 1...2)) { try reader.auditRequests(incident: 9) }
        #expect(AuditError.unknownIncident(9, known: 1...2).description == "no incident 9 in this database (incidents 1…2)")
    }

    @Test func anOutcomeFilterMustBeOneOfTheSevenKinds() throws {
        #expect(try CancelOutcomeKind.parse(auditFilter: "rejected") == .rejected)
        #expect(try CancelOutcomeKind.parse(auditFilter: "alreadyclosed") == .alreadyClosed)
        #expect(throws: AuditError.unknownOutcome("canceled")) { try CancelOutcomeKind.parse(auditFilter: "canceled") }
        let message = AuditError.unknownOutcome("canceled").description
        #expect(message.hasPrefix("outcome: \"canceled\""))
        for kind in CancelOutcomeKind.allCases { #expect(message.contains(kind.rawValue)) }
    }
}
