import KillSwitchCore
import Testing
@testable import Venues

/// One case per documented code (docs/venues.md §1d, §2c–2d, §3c–3d, §4c–4d), each sent through the real
/// parser as a whole-request error envelope. The expectations are written out here from docs/venues.md,
/// not read back from the tables.
@Suite("Error-code tables")
struct ErrorCodeTableTests {
    static let gate: [(String, CancelOutcomeKind)] = [
        ("ORDER_NOT_FOUND", .alreadyClosed), ("ORDER_CLOSED", .alreadyClosed), ("ORDER_CANCELLED", .alreadyClosed),
        ("ORDER_FINISHED", .alreadyClosed), ("CLIENT_ID_NOT_FOUND", .alreadyClosed),
        ("ORDER_NOT_OWNED", .rejected), ("CONTRACT_NOT_FOUND", .rejected), ("INVALID_CURRENCY_PAIR", .rejected),
        ("USER_NOT_FOUND", .rejected), ("MIXED_ACCOUNT_TYPE", .rejected),
        ("TOO_MANY_REQUESTS", .rateLimited), ("TOO_BUSY", .retryable), ("INTERNAL", .retryable), ("SERVER_ERROR", .retryable), ("CANCEL_FAIL", .retryable),
        ("REQUEST_EXPIRED", .retryable),
        ("INVALID_KEY", .rejected), ("INVALID_SIGNATURE", .rejected), ("INVALID_CREDENTIALS", .rejected), ("MISSING_REQUIRED_HEADER", .rejected),
        ("IP_FORBIDDEN", .rejected), ("READ_ONLY", .rejected), ("FORBIDDEN", .rejected), ("ACCOUNT_LOCKED", .rejected), ("AUTHENTICATION_FAILED", .rejected),
        ("INVALID_PARAM_VALUE", .rejected), ("INVALID_ARGUMENT", .rejected), ("INVALID_REQUEST_BODY", .rejected), ("MISSING_REQUIRED_PARAM", .rejected),
        ("BAD_REQUEST", .rejected), ("INVALID_CONTENT_TYPE", .rejected), ("NOT_FOUND", .rejected),
    ]

    static let htx: [(String, CancelOutcomeKind)] = [
        ("base-not-found", .alreadyClosed), ("not-found", .alreadyClosed), ("order-queryorder-invalid", .alreadyClosed),
        ("base-record-invalid", .unknown),
        ("base-system-error", .retryable), ("timeout", .retryable), ("gateway-internal-error", .retryable), ("order-update-error", .retryable),
        ("base-request-exceed-frequency-limit", .rateLimited), ("rate-too-many-requests", .rateLimited), ("510", .rateLimited),
        ("frequent-invoke", .rateLimited), ("base-user-request-exceed-limit", .rateLimited), ("1006", .rateLimited),
        ("cancel-disabled", .rejected), ("order-user-cancel-forbidden", .rejected), ("order-fl-cancellation-is-disallowed", .rejected),
        ("api-signature-not-valid", .rejected), ("api-signature-check-failed", .rejected), ("login-required", .rejected), ("403", .rejected),
    ]

    static let bitget: [(String, CancelOutcomeKind)] = [
        ("43001", .alreadyClosed), ("40768", .alreadyClosed), ("40109", .alreadyClosed), ("43004", .alreadyClosed), ("22001", .alreadyClosed),
        ("429", .rateLimited), ("1001", .rateLimited),
        ("40010", .retryable), ("40015", .retryable), ("40910", .retryable), ("45001", .retryable), ("40725", .retryable),
        ("40004", .retryable), ("40008", .retryable), ("40078", .retryable), ("40005", .rejected), ("40079", .rejected),
        ("40001", .rejected), ("40002", .rejected), ("40003", .rejected), ("40006", .rejected), ("40009", .rejected), ("40011", .rejected),
        ("40012", .rejected), ("40014", .rejected), ("40018", .rejected), ("40038", .rejected), ("40037", .rejected),
        ("40085", .rejected), ("40912", .rejected), ("40017", .rejected), ("40019", .rejected), ("40020", .rejected),
    ]

    static let binance: [(String, CancelOutcomeKind)] = [
        ("-2011", .alreadyClosed), ("-2013", .alreadyClosed),
        ("-1003", .rateLimited), ("-1015", .rateLimited), ("-1008", .retryable), ("-1001", .retryable),
        ("-1006", .unknown), ("-1007", .unknown),
        ("-1021", .retryable),
        ("-1022", .rejected), ("-2014", .rejected), ("-2015", .rejected), ("-1002", .rejected),
    ]

    static let clockCodes: Set<String> = ["REQUEST_EXPIRED", "40004", "40008", "40078", "-1021", "api-signature-not-valid", "api-signature-check-failed"]

    func verdict(_ kind: VenueKind, body: String, status: Int = 200) -> BatchVerdict {
        let adapter = try! VenueRequests.makeAdapter(descriptor: Fixtures.descriptor(kind), credentials: Fixtures.credentials, options: VenueRequestOptions())
        let targets = [Fixtures.target("1", symbol: "BTCUSDT"), Fixtures.target("2", symbol: "BTCUSDT")]
        return adapter.classifyBatch(VenueHTTPAnswer(status: status, body: body), batch: Fixtures.batch(targets, kind: kind))
    }

    func check(_ v: BatchVerdict, _ code: String, _ expected: CancelOutcomeKind) {
        #expect(v.outcomes.map(\.kind) == [expected, expected], "code \(code)")
        #expect(v.venueCode == code)
        #expect(v.resyncClock == Self.clockCodes.contains(code), "resync for \(code)")
    }

    @Test(arguments: ErrorCodeTableTests.gate) func gateLabel(_ code: String, _ expected: CancelOutcomeKind) {
        check(verdict(.gateSpot, body: #"{"label":"\#(code)","message":"x"}"#, status: 400), code, expected)
        check(verdict(.gateFutures, body: #"{"label":"\#(code)","message":"x"}"#, status: 400), code, expected)
    }

    @Test(arguments: ErrorCodeTableTests.gate) func gateSpotPerOrderLabel(_ code: String, _ expected: CancelOutcomeKind) {
        let v = verdict(.gateSpot, body: #"[{"currency_pair":"BTCUSDT","id":"1","succeeded":false,"label":"\#(code)","message":"m"},{"currency_pair":"BTCUSDT","id":"2","succeeded":true}]"#)
        #expect(v.outcomes.map(\.kind) == [expected, .cancelled])
        #expect(v.outcomes[0].venueCode == code)
    }

    @Test(arguments: ErrorCodeTableTests.htx) func htxCode(_ code: String, _ expected: CancelOutcomeKind) {
        check(verdict(.htxSpot, body: #"{"status":"error","err-code":"\#(code)","err-msg":"x","data":null}"#), code, expected)
        let perOrder = verdict(.htxSpot, body: #"{"status":"ok","data":{"success":["2"],"failed":[{"order-id":"1","err-code":"\#(code)","err-msg":"x"}]}}"#)
        #expect(perOrder.outcomes.map(\.kind) == [expected, .pending])
    }

    @Test func htxInvalidParameterRequestLimitIsThrottle() {
        let v = verdict(.htxSpot, body: #"{"status":"error","err-code":"invalid-parameter","err-msg":"request limit exceeded","data":null}"#)
        #expect(v.outcomes.map(\.kind) == [.rateLimited, .rateLimited])
        let other = verdict(.htxSpot, body: #"{"status":"error","err-code":"invalid-parameter","err-msg":"bad symbol","data":null}"#)
        #expect(other.outcomes.map(\.kind) == [.unknown, .unknown])
    }

    @Test(arguments: ErrorCodeTableTests.bitget) func bitgetCode(_ code: String, _ expected: CancelOutcomeKind) {
        check(verdict(.bitgetMix, body: #"{"code":"\#(code)","msg":"x","requestTime":1,"data":null}"#, status: 400), code, expected)
        let perOrder = verdict(.bitgetMix, body: #"{"code":"00000","msg":"success","data":{"successList":[{"orderId":"2"}],"failureList":[{"orderId":"1","errorCode":"\#(code)","errorMsg":"x"}]}}"#)
        #expect(perOrder.outcomes.map(\.kind) == [expected, .cancelled])
    }

    @Test(arguments: ErrorCodeTableTests.binance) func binanceCode(_ code: String, _ expected: CancelOutcomeKind) {
        check(verdict(.binanceCoinM, body: #"{"code":\#(code),"msg":"x"}"#, status: 400), code, expected)
        let perOrder = verdict(.binanceCoinM, body: #"[{"code":\#(code),"msg":"x"},{"orderId":2,"status":"CANCELED"}]"#)
        #expect(perOrder.outcomes.map(\.kind) == [expected, .cancelled])
    }

    @Test func unknownCodesAreUnknownButA429StaysThrottled() {
        #expect(verdict(.gateSpot, body: #"{"label":"SOMETHING_NEW","message":"x"}"#, status: 400).outcomes.map(\.kind) == [.unknown, .unknown])
        #expect(verdict(.gateSpot, body: #"{"label":"SOMETHING_NEW","message":"x"}"#, status: 429).outcomes.map(\.kind) == [.rateLimited, .rateLimited])
        #expect(verdict(.bitgetMix, body: #"{"code":"49999","msg":"x"}"#).outcomes.map(\.kind) == [.unknown, .unknown])
        #expect(verdict(.binanceCoinM, body: #"{"code":-9999,"msg":"x"}"#).outcomes.map(\.kind) == [.unknown, .unknown])
        #expect(verdict(.htxSpot, body: #"{"status":"error","err-code":"brand-new","err-msg":"x"}"#).outcomes.map(\.kind) == [.unknown, .unknown])
    }
}
