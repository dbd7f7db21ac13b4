import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
import Prometheus

/// Each control route with good and bad bodies over the real Unix socket (order events: `OrderEventRouteTests`).
extension EngineIntegration {
@Suite(.serialized) struct ControlRouteTests {
    static let goodEvent = #"{"eventId": "e1", "venue": "binance", "symbol": "BTCUSD_PERP", "venueOrderId": "1001", "status": "acknowledged", "side": "buy", "price": "64250.5", "quantity": "10"}"#

    @Test func heartbeatsSayWhetherARuleWatchesTheSource() async throws {
        let rule = RuleDefinition(id: "bot-alive", scope: Scope(venue: "binance"), kind: .heartbeat(source: "bot-7", timeout: .seconds(600), grace: .seconds(600)))
        let fixture = try await ControlFixture.start(rules: [rule])
        defer { Task { await fixture.stop() } }
        let watched = try await fixture.post("/v1/heartbeats/bot-7", json: "")
        #expect(watched.status == 200)
        #expect(try watched.decode(HeartbeatAnswer.self) == HeartbeatAnswer(source: "bot-7", watched: true))
        let unwatched = try await fixture.post("/v1/heartbeats/bot-8", json: "")
        #expect(try unwatched.decode(HeartbeatAnswer.self) == HeartbeatAnswer(source: "bot-8", watched: false))
        let tooLong = try await fixture.post("/v1/heartbeats/" + String(repeating: "b", count: 300), json: "")
        #expect(tooLong.status == 400)
        #expect(tooLong.error == "source: longer than 256 bytes")
    }

    @Test func pnlMarksAreStoredAndBadFieldsNamed() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let good = #"{"venue": "binance", "time": "2026-11-25T10:15:00Z", "currency": "USD", "realizedToday": "-120.5", "unrealized": "30", "equity": "10000"}"#
        let answer = try await fixture.post("/v1/pnl", json: good)
        #expect(answer.status == 200)
        #expect(try await fixture.daemon.store.pnlMarkCount(venueId: "binance") == 1)

        let cases: [(String, String)] = [
            (good.replacingOccurrences(of: #""equity": "10000""#, with: #""equity": 10000"#), "equity: expected a string, got a number"),
            (good.replacingOccurrences(of: #""currency": "USD", "#, with: ""), "currency: missing"),
            (good.replacingOccurrences(of: #""binance""#, with: #""kraken""#), #"venue: unknown venue "kraken"; configured: binance, bitget, gate-fut, gate-spot, htx"#),
            (good.replacingOccurrences(of: "2026-11-25T10:15:00Z", with: "yesterday"), #"time: "yesterday" is not an RFC 3339 time such as 2026-11-25T10:15:00.123Z"#),
            (good.replacingOccurrences(of: #""30""#, with: #""3O""#), #"unrealized: "3O" is not a decimal number"#),
            (good.replacingOccurrences(of: #""equity""#, with: #""equty""#), "equty: unknown field; known fields: currency, equity, realizedToday, time, unrealized, venue"),
            ("[1]", "body: expected a JSON object, got an array"),
        ]
        for (body, message) in cases {
            let bad = try await fixture.post("/v1/pnl", json: body)
            #expect(bad.status == 400, "\(body)")
            #expect(bad.error == message)
        }
        #expect(try await fixture.daemon.store.pnlMarkCount(venueId: "binance") == 1)
    }

    @Test func gateNeedsVenueAndSymbol() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let allowed = try await fixture.get("/v1/gate?venue=binance&symbol=BTCUSD_PERP")
        #expect(allowed.status == 200)
        #expect(try allowed.decode(TripEngine.GateAnswer.self).allowed)
        let missing = try await fixture.get("/v1/gate?venue=binance")
        #expect(missing.status == 400)
        #expect(missing.error == "symbol: missing query parameter")
        let unknown = try await fixture.get("/v1/gate?venue=nowhere&symbol=X")
        #expect(unknown.status == 400)
        #expect(unknown.error?.hasPrefix(#"venue: unknown venue "nowhere""#) == true)
    }

    @Test func unknownRoutesAndMethodsAre404JSON() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let unknown = try await fixture.get("/v1/nothing-here")
        #expect(unknown.status == 404)
        #expect(unknown.error == "path: no route GET /v1/nothing-here")
        #expect(unknown.header("content-type") == "application/json")
        let wrongMethod = try await fixture.post("/v1/status", json: "{}")
        #expect(wrongMethod.status == 404)
        #expect(wrongMethod.error == "path: no route POST /v1/status")
    }

    @Test func bodiesOverTheLimitAre413() async throws {
        let fixture = try await ControlFixture.start(control: ControlSettings(maxBodyBytes: 1024))
        defer { Task { await fixture.stop() } }
        let big = #"{"reason": "\#(String(repeating: "x", count: 4096))"}"#
        let answer = try await fixture.post("/v1/trip", json: big)
        #expect(answer.status == 413)
        #expect(answer.error == "body: larger than the limit of 1024 bytes (control.max_body_bytes)")
        #expect(await fixture.daemon.engine.latchedIncidents.isEmpty)
        // Just under the limit is fine.
        let small = try await fixture.post("/v1/orders/events", json: "[\(Self.goodEvent)]")
        #expect(small.status == 200)
    }

    @Test func tripAndRearmBodiesNameTheField() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let cases: [(String, String, String)] = [
            ("/v1/trip", "{}", "reason: missing"),
            ("/v1/trip", #"{"reason": "  "}"#, "reason: must not be empty"),
            ("/v1/trip", #"{"reason": 7}"#, "reason: expected a string, got a number"),
            ("/v1/trip", #"{"reason": "r", "scope": {"venu": "binance"}}"#, "scope.venu: unknown field; known fields: account, symbol, venue"),
            ("/v1/trip", #"{"reason": "r", "scope": {"venue": "kraken"}}"#, #"scope.venue: unknown venue "kraken"; configured: binance, bitget, gate-fut, gate-spot, htx"#),
            ("/v1/trip", #"{"reason": "r", "scope": {"venue": "binance", "account": "other"}}"#, #"scope.account: "other" is not venue binance's account "main""#),
            ("/v1/trip", #"{"reason": "r", "scope": "binance"}"#, "scope: expected an object, got a string"),
            // `operator` is an optional note now (the identity comes from the socket), but never a blank one.
            ("/v1/rearm", #"{"operator": "alice"}"#, "reason: missing"),
            ("/v1/rearm", #"{"operator": " ", "reason": "r"}"#, "operator: must not be empty"),
            ("/v1/rearm", #"{"operator": "alice", "reason": "r", "incident": 1, "scope": {}}"#, "incident: give incident or scope, not both"),
            ("/v1/rearm", #"{"operator": "alice", "reason": "r", "forse": true}"#, "forse: unknown field; known fields: force, incident, operator, reason, scope"),
            ("/v1/rearm", #"{"operator": "alice", "reason": "r", "incident": "one"}"#, "incident: expected an integer, got a string"),
            // A key that is no plain name is quoted, so the message still starts with the field (found by schemathesis).
            ("/v1/rearm", #"{"": null, "reason": "r"}"#, #""": unknown field; known fields: force, incident, operator, reason, scope"#),
            ("/v1/trip", #"{"reason": "r", "scope": {"a: b\n": 1}}"#, #"scope."a: b\n": unknown field; known fields: account, symbol, venue"#),
        ]
        for (path, body, message) in cases {
            let answer = try await fixture.post(path, json: body)
            #expect(answer.status == 400, "\(path) \(body)")
            #expect(answer.error == message, "\(path) \(body)")
        }
        #expect(await fixture.daemon.engine.latchedIncidents.isEmpty)
        let unknownIncident = try await fixture.post("/v1/rearm", json: #"{"operator": "alice", "reason": "r", "incident": 99}"#)
        #expect(unknownIncident.status == 404)
        #expect(unknownIncident.error == "incident: no incident 99")
        let nothingLatched = try await fixture.post("/v1/rearm", json: #"{"operator": "alice", "reason": "r", "scope": {"venue": "htx"}}"#)
        #expect(nothingLatched.status == 404)
        #expect(nothingLatched.error == "scope: no latched incident has scope venue=htx")
    }

    @Test func metricsRenderThePrometheusRegistry() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let descriptor = MetricNameDescriptor(namespace: "killswitch", metricName: "control_test", unitName: "total", helpText: "a probe")
        fixture.daemon.metrics.makeCounter(descriptor: descriptor, labels: [("kind", "probe")]).increment(by: Int64(3))
        let answer = try await fixture.get("/metrics")
        #expect(answer.status == 200)
        #expect(answer.header("content-type") == "text/plain; version=0.0.4; charset=utf-8")
        #expect(answer.text.contains(#"killswitch_control_test_total{kind="probe"} 3"#))
    }
}
}
