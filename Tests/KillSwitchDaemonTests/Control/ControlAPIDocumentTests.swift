import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon

/// The running daemon held to docs/control-api.yaml: the served document is the file, and every route answers
/// only statuses the document lists, with the documented media type and body shape. Every documented
/// (route, status) pair is produced at least once, except the ones named in `notProducibleHere`.
extension EngineIntegration {
@Suite(.serialized) struct ControlAPIDocumentTests {
    static let botToken = "bot-" + UUID().uuidString
    static let operatorToken = "op-" + UUID().uuidString

    /// A bot route's 403 needs a socket caller outside `socket_group` and the operator group: this test runs
    /// as root (or as the test user), whose role is operator. OperatorRightsTests produces those with real users.
    static let notProducibleHere: Set<String> = [
        "POST /v1/orders/events 403", "POST /v1/heartbeats/{source} 403", "POST /v1/pnl 403", "GET /v1/gate 403",
        "GET /v1/status 403", "GET /metrics 403",
    ]

    @Test func theServedDocumentIsTheFile() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let answer = try await fixture.get("/v1/openapi.yaml")
        #expect(answer.status == 200)
        #expect(answer.header("content-type") == "application/yaml; charset=utf-8")
        let file = try Data(contentsOf: OpenAPIDocument.fileURL)
        #expect(answer.body == file, "the binary embeds a stale docs/control-api.yaml: rebuild")
        #expect(ControlAPIDocument.bytes == Array(file))
    }

    @Test func everyRouteStatusAndBodyIsDocumented() async throws {
        let document = try OpenAPIDocument(yaml: String(decoding: try Data(contentsOf: OpenAPIDocument.fileURL), as: UTF8.self))
        let control = ControlSettings(tcpPort: 0, tokenEnv: "KS_DOC_BOT_TOKEN", operatorTokenEnv: "KS_DOC_OPERATOR_TOKEN", maxBodyBytes: 4096)
        let fixture = try await ControlFixture.start(control: control, environment: [
            "KS_DOC_BOT_TOKEN": Self.botToken, "KS_DOC_OPERATOR_TOKEN": Self.operatorToken,
        ])
        defer { Task { await fixture.stop() } }
        var checker = Checker(document: document, fixture: fixture)

        let event = #"{"eventId": "doc-1", "venue": "binance", "symbol": "BTCUSD_PERP", "venueOrderId": "501", "status": "acknowledged", "side": "buy", "price": "100", "quantity": "1"}"#
        let bad = #"{"eventId": "doc-2", "venue": "binance", "symbol": "BTCUSD_PERP", "venueOrderId": "502", "status": "acknowledged", "price": 1}"#
        let big = "[" + String(repeating: " ", count: 5000) + "]"
        try await checker.post("/v1/orders/events", "[\(event), \(bad)]", expect: 200)
        try await checker.post("/v1/orders/events", event + "\n" + bad.replacingOccurrences(of: "doc-2", with: "doc-3"), contentType: "application/x-ndjson", expect: 200)
        try await checker.post("/v1/orders/events?results=all", "[\(event), \(bad)]", expect: 200)
        try await checker.post("/v1/orders/events?results=every", "[\(event)]", expect: 400)
        try await checker.post("/v1/orders/events", "[{", expect: 400)
        try await checker.post("/v1/orders/events", big, expect: 413)

        try await checker.post("/v1/heartbeats/doc-bot", "", expect: 200)
        try await checker.post("/v1/heartbeats/" + String(repeating: "h", count: 300), "", expect: 400)
        try await checker.post("/v1/heartbeats/", "", expect: 404)

        let mark = #"{"venue": "binance", "time": "2026-11-25T10:15:00Z", "currency": "BTC", "realizedToday": "-1", "unrealized": "0", "equity": "10"}"#
        try await checker.post("/v1/pnl", mark, expect: 200)
        try await checker.post("/v1/pnl", mark.replacingOccurrences(of: #""-1""#, with: #""x""#), expect: 400)
        try await checker.post("/v1/pnl", big, expect: 413)

        try await checker.get("/v1/gate?venue=binance&symbol=BTCUSD_PERP", expect: 200)
        try await checker.get("/v1/gate?venue=binance", expect: 400)

        // A trip of a scope with no orders ends flat at once and stays latched: the gate blocks, status shows
        // it, and it can be retried.
        let tripAnswer = try await checker.post("/v1/trip", #"{"reason": "doc", "scope": {"venue": "gate-spot", "symbol": "NOPE_USDT"}}"#, expect: 200)
        let incident = try #require(tripAnswer["incident"].flatMap { if case .number(_, let text) = $0 { Int64(text) } else { nil } })
        #expect(await fixture.daemon.engine.waitForIncident(incident) == .flat)
        let blocked = try await checker.get("/v1/gate?venue=gate-spot&symbol=NOPE_USDT", expect: 200)
        #expect(blocked["allowed"] == .bool(false))
        try await checker.post("/v1/trip", #"{"reason": ""}"#, expect: 400)
        try await checker.post("/v1/trip", big, expect: 413)
        try await checker.get("/v1/status", expect: 200)
        try await checker.get("/metrics", expect: 200)
        try await checker.get("/v1/openapi.yaml", expect: 200)

        try await checker.post("/v1/incidents/\(incident)/retry", "", expect: 200)
        #expect(await fixture.daemon.engine.waitForIncident(incident) == .flat)
        try await checker.post("/v1/incidents/abc/retry", "", expect: 400)
        try await checker.post("/v1/incidents/999999/retry", "", expect: 404)
        // Operator routes with the bots' token: refused by role.
        try await checker.post("/v1/incidents/\(incident)/retry", "", token: Self.botToken, expect: 403)
        try await checker.post("/v1/rearm", #"{"reason": "r", "incident": \#(incident)}"#, token: Self.botToken, expect: 403)

        try await checker.post("/v1/rearm", #"{"reason": "r", "forse": true}"#, expect: 400)
        try await checker.post("/v1/rearm", #"{"reason": "r", "incident": 999999}"#, expect: 404)
        try await checker.post("/v1/rearm", big, expect: 413)
        try await checker.post("/v1/rearm", #"{"reason": "doc done", "incident": \#(incident)}"#, expect: 200)
        try await checker.post("/v1/rearm", #"{"reason": "again", "incident": \#(incident)}"#, expect: 409)
        try await checker.post("/v1/incidents/\(incident)/retry", "", expect: 409)

        // Every route over TCP without a token.
        for operation in document.operations {
            let path = operation.path.replacingOccurrences(of: "{source}", with: "doc-bot").replacingOccurrences(of: "{id}", with: "1")
            try await checker.send(operation.method, path, body: operation.method == "POST" ? "{}" : nil, tcp: true, token: nil, expect: 401)
        }

        // Every documented (route, status) was produced, and nothing undocumented answered.
        var missing: [String] = []
        for operation in document.operations {
            for status in try document.statuses(operation) where !checker.produced.contains("\(operation) \(status)") {
                if !Self.notProducibleHere.contains("\(operation) \(status)") { missing.append("\(operation) \(status)") }
            }
        }
        #expect(missing.isEmpty, "documented but never produced: \(missing.sorted())")
        #expect(checker.problems.isEmpty, "\(checker.problems.joined(separator: "\n"))")
    }

    /// Sends requests (the socket by default, as the root/test user; TCP with a token when asked) and checks
    /// each answer against the document.
    struct Checker {
        let document: OpenAPIDocument
        let fixture: ControlFixture
        var produced: Set<String> = []
        var problems: [String] = []

        @discardableResult
        mutating func get(_ path: String, token: String? = nil, expect status: Int) async throws -> JSONValue {
            try await send("GET", path, body: nil, tcp: token != nil, token: token, expect: status)
        }

        @discardableResult
        mutating func post(_ path: String, _ body: String, contentType: String = "application/json", token: String? = nil, expect status: Int) async throws -> JSONValue {
            try await send("POST", path, body: body, contentType: contentType, tcp: token != nil, token: token, expect: status)
        }

        @discardableResult
        mutating func send(_ method: String, _ path: String, body: String?, contentType: String = "application/json", tcp: Bool, token: String?,
                           expect status: Int) async throws -> JSONValue {
            let headers = token.map { ["Authorization": "Bearer \($0)"] } ?? [:]
            let answer = try await fixture.request(.init(rawValue: method), path, body: body.map { Data($0.utf8) }, contentType: contentType,
                                                   headers: headers, tcp: tcp)
            let label = "\(method) \(path) (\(tcp ? "tcp" : "socket"))"
            guard let operation = document.operation(method: method, concretePath: path) else {
                problems.append("\(label): no documented operation")
                return .null
            }
            if answer.status != status { problems.append("\(label): expected \(status), got \(answer.status): \(answer.text)") }
            produced.insert("\(operation) \(answer.status)")
            guard let response = try document.response(operation, status: answer.status) else {
                problems.append("\(label): status \(answer.status) is not documented for \(operation)")
                return .null
            }
            let content = response["content"] as? [String: Any] ?? [:]
            let mediaType = (answer.header("content-type") ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard let media = content[mediaType] as? [String: Any] else {
                problems.append("\(label): answered \(mediaType), documented \(content.keys.sorted())")
                return .null
            }
            if let headers = response["headers"] as? [String: Any] {
                for name in headers.keys where answer.header(name) == nil { problems.append("\(label): documented header \(name) absent") }
            }
            guard mediaType == "application/json" else { return .null }
            let value = try JSONDecoder().decode(JSONValue.self, from: answer.body)
            let schema = media["schema"] as? [String: Any] ?? [:]
            problems += try document.problems(value, against: schema).map { "\(label): \($0)" }
            return value
        }
    }
}
}
