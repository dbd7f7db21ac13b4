import KillSwitchCore
import Testing
@testable import Venues

/// Answers a parser cannot trust: never a crash, never `cancelled`; `unknown` (sent, must be verified)
/// or `retryable` (a 5xx).
@Suite("Malformed answers")
struct MalformedAnswerTests {
    static let bodies: [(String, String, Int, Set<CancelOutcomeKind>)] = [
        ("truncated JSON", #"[{"id":"1","succeeded":tr"#, 200, [.unknown]),
        ("truncated object", #"{"status":"ok","data":{"success":["1""#, 200, [.unknown]),
        ("HTML error page 200", "<html><body><h1>Service temporarily unavailable</h1></body></html>", 200, [.unknown]),
        ("HTML error page 502", "<html><body>502 Bad Gateway</body></html>", 502, [.retryable]),
        ("HTML WAF page 403", "<html>blocked</html>", 403, [.unknown]),
        ("empty body 200", "", 200, [.unknown]),
        ("empty body 503", "", 503, [.retryable]),
        ("plain text", "OK", 200, [.unknown]),
        ("JSON null", "null", 200, [.unknown]),
        ("number", "42", 200, [.unknown]),
        ("wrong types object", #"{"status":1,"data":"x","code":{},"successList":7}"#, 200, [.unknown]),
        ("wrong types array", #"[{"id":{"x":1},"succeeded":"yes","status":5,"orderId":[1]}, 3, "x"]"#, 200, [.unknown]),
        ("unknown-code envelope 200", #"{"status":"error","err-code":"zzz","label":"ZZZ_NEW","code":"99999","msg":"?","err-msg":"?"}"#, 200, [.unknown]),
        ("empty array", "[]", 200, [.unknown]),
        ("empty object", "{}", 200, [.unknown]),
    ]

    static var cases: [(VenueKind, Int)] {
        VenueKind.allCases.flatMap { kind in bodies.indices.map { (kind, $0) } }
    }

    @Test(arguments: MalformedAnswerTests.cases) func neverCancelled(_ kind: VenueKind, _ index: Int) throws {
        let (name, body, status, allowed) = Self.bodies[index]
        let targets = [Fixtures.target("1", symbol: "BTCUSDT"), Fixtures.target("2", symbol: "BTCUSDT")]
        let outcomes = try VenueRequests.outcomes(of: VenueHTTPAnswer(status: status, body: body), for: Fixtures.batch(targets, kind: kind), descriptor: Fixtures.descriptor(kind))
        #expect(outcomes.count == 2)
        for outcome in outcomes {
            #expect(outcome.kind != .cancelled, "\(kind.rawValue): \(name)")
            #expect(allowed.contains(outcome.kind), "\(kind.rawValue): \(name) → \(outcome.kind)")
        }
    }

    @Test func answersForOtherIdsAreIgnored() throws {
        let outcomes = try VenueRequests.outcomes(of: VenueHTTPAnswer(status: 200, body: #"[{"id":"999","succeeded":true}]"#),
                                                  for: Fixtures.batch([Fixtures.target("1", symbol: "BTC_USDT")], kind: .gateSpot), descriptor: Fixtures.descriptor(.gateSpot))
        #expect(outcomes.map(\.kind) == [.unknown])
    }

    @Test func binanceShortAnswerLeavesTheRestUnknown() throws {
        let body = #"[{"orderId":1,"status":"CANCELED"}]"#
        let outcomes = try VenueRequests.outcomes(of: VenueHTTPAnswer(status: 200, body: body),
                                                  for: Fixtures.batch([Fixtures.target("1"), Fixtures.target("2")], kind: .binanceCoinM), descriptor: Fixtures.descriptor(.binanceCoinM))
        #expect(outcomes.map(\.kind) == [.cancelled, .unknown])
    }
}
