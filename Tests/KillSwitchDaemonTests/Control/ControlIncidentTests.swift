#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore

/// Trips, the gate, re-arms, retries and status through the control API, against venue-sim.
extension EngineIntegration {
@Suite(.serialized) struct ControlIncidentTests {
    static var userName: String { String(cString: getpwuid(getuid())!.pointee.pw_name) }

    @Test func tripBlocksTheGateAndRearmOpensIt() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let gatePath = "/v1/gate?venue=binance&account=main&symbol=BTCUSD_PERP"
        #expect(try await fixture.get(gatePath).decode(TripEngine.GateAnswer.self).allowed)

        let trip = try await fixture.post("/v1/trip", json: #"{"reason": "desk says stop", "scope": {"venue": "binance"}}"#)
        #expect(trip.status == 200)
        let answer = try trip.decode(TripAnswer.self)
        // No actor given: the caller's Unix user, read from the socket (SO_PEERCRED).
        #expect(answer.actor == Self.userName)
        #expect(try await fixture.daemon.store.incident(id: answer.incident)?.actor == Self.userName)

        let blocked = try await fixture.get(gatePath).decode(TripEngine.GateAnswer.self)
        #expect(!blocked.allowed && blocked.incident == answer.incident && blocked.reason == "desk says stop")
        // Outside the scope, trading goes on.
        #expect(try await fixture.get("/v1/gate?venue=htx&symbol=btcusdt").decode(TripEngine.GateAnswer.self).allowed)

        // Re-arm by the exact scope.
        let rearm = try await fixture.post("/v1/rearm", json: #"{"operator": "alice", "reason": "checked", "scope": {"venue": "binance"}}"#)
        #expect(rearm.status == 200)
        #expect(try rearm.decode(RearmAnswer.self) == RearmAnswer(rearmed: [answer.incident], forced: false))
        #expect(try await fixture.get(gatePath).decode(TripEngine.GateAnswer.self).allowed)
        let record = try #require(try await fixture.daemon.store.incident(id: answer.incident))
        // Re-armed by whoever called (the socket says), not by the body's "alice".
        #expect(record.rearmedBy == Self.userName && record.rearmReason == "checked")
        // Twice is a conflict.
        let again = try await fixture.post("/v1/rearm", json: #"{"operator": "alice", "reason": "again", "incident": \#(answer.incident)}"#)
        #expect(again.status == 409)
        #expect(again.error == "incident: incident \(answer.incident) is already re-armed")
    }

    /// A body's `actor` is only a note: the trip is recorded under the caller the kernel reports.
    @Test func actorInTheBodyIsANoteBesideTheCaller() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let trip = try await fixture.post("/v1/trip", json: #"{"reason": "r", "actor": "someone-else", "scope": {"venue": "gate-spot", "symbol": "BTC_USDT"}}"#)
        let answer = try trip.decode(TripAnswer.self)
        #expect(answer.actor == Self.userName)
        let record = try #require(try await fixture.daemon.store.incident(id: answer.incident))
        #expect(record.scope == Scope(venue: "gate-spot", symbol: "BTC_USDT"))
        #expect(record.actor == Self.userName)
        let audit = try StoreReader(path: fixture.harness.configuration.database).auditTimeline(incident: answer.incident).auditEvents
        let tripRow = try #require(audit.first { $0.kind == "trip" })
        #expect(tripRow.actor == Self.userName && tripRow.actorUid == getuid() && tripRow.actorNote == "someone-else")
    }

    @Test func rearmIsRefusedWhileTheRuleHolds() async throws {
        let rule = RuleDefinition(id: "bot-alive", scope: Scope(venue: "bitget"), kind: .heartbeat(source: "bot", timeout: .milliseconds(200), grace: .zero))
        let fixture = try await ControlFixture.start(rules: [rule])
        defer { Task { await fixture.stop() } }
        let events = fixture.daemon.events.subscribe()
        // Subscribed after start: the rule may already have fired.
        let incident: Int64
        if let latched = await fixture.daemon.engine.latchedIncidents.first {
            incident = latched.id
        } else {
            incident = try #require(await ControlFixture.nextTrip(events))
        }
        let refused = try await fixture.post("/v1/rearm", json: #"{"operator": "bob", "reason": "try", "incident": \#(incident)}"#)
        #expect(refused.status == 409)
        #expect(refused.error == "force: rule bot-alive still holds: re-arm refused (use force to override; it is audited)")
        let byScope = try await fixture.post("/v1/rearm", json: #"{"operator": "bob", "reason": "try", "scope": {"venue": "bitget"}}"#)
        #expect(byScope.status == 409)
        let status = try await fixture.get("/v1/status").decode(StatusReport.self)
        let ruleStatus = try #require(status.rules.first { $0.id == "bot-alive" })
        #expect(ruleStatus.fired)
        let forced = try await fixture.post("/v1/rearm", json: #"{"operator": "bob", "reason": "bot is retired", "incident": \#(incident), "force": true}"#)
        #expect(forced.status == 200)
        #expect(try forced.decode(RearmAnswer.self).forced)
        #expect(try await fixture.daemon.store.incident(id: incident)?.rearmForced == true)
    }

    @Test func statusAfterATripShowsProgressRulesAndVenues() async throws {
        let rule = RuleDefinition(id: "runaway", scope: .everything, kind: .orderRate(maxOrders: 1_000, window: .seconds(60), per: .account))
        let fixture = try await ControlFixture.start(rules: [rule])
        defer { Task { await fixture.stop() } }
        try await fixture.harness.seed(perVenue: 30, store: fixture.daemon.store)
        let before = try await fixture.get("/v1/status").decode(StatusReport.self)
        #expect(before.armed && before.incidents.isEmpty && before.tripped.isEmpty)
        #expect(before.venues.map(\.state) == Array(repeating: "armed", count: 5))

        let trip = try await fixture.post("/v1/trip", json: #"{"reason": "fire drill"}"#).decode(TripAnswer.self)
        #expect(await fixture.daemon.engine.waitForIncident(trip.incident) == .flat)
        let report = try await fixture.get("/v1/status").decode(StatusReport.self)
        #expect(!report.armed)
        #expect(report.tripped == [StatusReport.TrippedScope(scope: .everything, incidents: [trip.incident])])
        let incident = try #require(report.incidents.first)
        #expect(incident.id == trip.incident && incident.state == "flat" && incident.latched && incident.reason == "fire drill")
        #expect(incident.orders.total == 150)
        #expect(incident.orders.count(.cancelled) + incident.orders.count(.alreadyClosed) == 150)
        #expect(incident.orders.outstanding == 0)
        #expect(incident.venues.map(\.venue) == ["binance", "bitget", "gate-fut", "gate-spot", "htx"])
        for venue in incident.venues {
            #expect(venue.orders.total == 30, "\(venue.venue)")
            #expect(venue.requests > 0, "\(venue.venue)")
            #expect(venue.averageLatencyMilliseconds != nil)
        }
        #expect(report.rules.map(\.id) == ["runaway"])
        #expect(report.venues.map(\.state) == Array(repeating: "tripped", count: 5))
        for venue in report.venues {
            #expect(venue.incidents == [trip.incident])
            #expect(!venue.buckets.isEmpty, "\(venue.venue) has no buckets")
        }
        // The venue agrees nothing is left.
        #expect(await fixture.harness.sim.orders(exchange: nil, market: nil, status: "open").isEmpty)
    }

    @Test func venueHealthIsRendered() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        fixture.daemon.health.update("htx") {
            $0.lastAnswerAt = 1_700_000_000_000
            $0.lastAnswerOK = true
            $0.armedCheckOK = false
            $0.armedCheckDetail = "cannot cancel: permission denied"
            $0.clockOffsetMilliseconds = -42
        }
        let report = try await fixture.get("/v1/status").decode(StatusReport.self)
        let htx = try #require(report.venues.first { $0.venue == "htx" })
        #expect(htx.lastAnswerAt == 1_700_000_000_000 && htx.lastAnswerOK == true)
        #expect(htx.armedCheckOK == false && htx.armedCheckDetail == "cannot cancel: permission denied")
        #expect(htx.clockOffsetMilliseconds == -42)
        #expect(htx.kind == "htx-spot" && htx.account == "main" && htx.state == "armed")
    }

    @Test func retryRedrivesAnEndedIncident() async throws {
        // Binance answers with a bad signature: its orders are rejected and the incident ends incomplete.
        let fixture = try await ControlFixture.start(badCredentialsFor: ["binance"])
        defer { Task { await fixture.stop() } }
        try await fixture.harness.seed(perVenue: 10, store: fixture.daemon.store, venues: [EngineHarness.specs[4]])
        let trip = try await fixture.post("/v1/trip", json: #"{"reason": "r", "scope": {"venue": "binance"}}"#).decode(TripAnswer.self)
        #expect(await fixture.daemon.engine.waitForIncident(trip.incident) == .incomplete)
        let ended = try #require(try await fixture.get("/v1/status").decode(StatusReport.self).incidents.first)
        #expect(ended.state == "incomplete" && ended.orders.count(.rejected) == 10 && ended.orders.outstanding == 0)
        let db = try SQLiteConnection(path: fixture.harness.configuration.database, mode: .readOnly)
        let intentsBefore = try db.scalarInt("SELECT count(*) FROM cancel_intents WHERE incident_id = \(trip.incident)") ?? 0

        let retry = try await fixture.post("/v1/incidents/\(trip.incident)/retry", json: "")
        #expect(retry.status == 200)
        #expect(try retry.decode(RetryAnswer.self) == RetryAnswer(incident: trip.incident, state: "running"))
        #expect(await fixture.daemon.engine.waitForIncident(trip.incident) == .incomplete)
        // It really was driven again: new requests under the same incident, and the retry is audited.
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents WHERE incident_id = \(trip.incident)") ?? 0 > intentsBefore)
        #expect(try db.scalarText("SELECT actor FROM audit_events WHERE kind = 'incident-retry' AND incident_id = \(trip.incident)") == Self.userName)

        #expect(try await fixture.post("/v1/incidents/999/retry", json: "").status == 404)
        let notANumber = try await fixture.post("/v1/incidents/abc/retry", json: "")
        #expect(notANumber.status == 400)
        #expect(notANumber.error == #"id: "abc" is not an incident number"#)
        _ = try await fixture.post("/v1/rearm", json: #"{"operator": "alice", "reason": "done", "incident": \#(trip.incident), "force": true}"#)
        let rearmed = try await fixture.post("/v1/incidents/\(trip.incident)/retry", json: "")
        #expect(rearmed.status == 409)
        #expect(rearmed.error == "incident: incident \(trip.incident) was re-armed; trip the scope again instead")
    }

    @Test func retryOfARunningIncidentIsAConflict() async throws {
        // Every venue answer takes 400 ms, so the fan-out cannot have ended when the retry arrives.
        let fixture = try await ControlFixture.start(simLatencyMs: 400)
        defer { Task { await fixture.stop() } }
        try await fixture.harness.seed(perVenue: 5, store: fixture.daemon.store, venues: [EngineHarness.specs[4]])
        let trip = try await fixture.post("/v1/trip", json: #"{"reason": "r", "scope": {"venue": "binance"}}"#).decode(TripAnswer.self)
        let retry = try await fixture.post("/v1/incidents/\(trip.incident)/retry", json: "")
        #expect(retry.status == 409)
        #expect(retry.error == "incident: incident \(trip.incident) is still running; retry it once it has ended")
        #expect(await fixture.daemon.engine.waitForIncident(trip.incident) == .flat)
    }
}
}
