/// Bitget's envelope `{"code": "…", "msg", "requestTime", "data"}`. Business and authentication errors
/// answer HTTP 400 and throttling 429 (the exact statuses and bodies are UNVERIFIED, docs/venues.md 3c).
enum BitgetErrors {
    static func reply(status: Int, code: String, message: String, verdict: String, account: String?, now: Int64) -> VenueReply {
        VenueReply(
            status: status,
            json: .object([("code", .string(code)), ("msg", .string(message)), ("requestTime", .int(now)), ("data", .null)]),
            verdict: verdict,
            account: account
        )
    }

    static func badRequest(_ code: String, _ message: String, account: String?, now: Int64) -> VenueReply {
        reply(status: 400, code: code, message: message, verdict: "bad-request", account: account, now: now)
    }

    static func success(_ data: JSONValue, now: Int64) -> JSONValue {
        .object([("code", .string("00000")), ("msg", .string("success")), ("requestTime", .int(now)), ("data", data)])
    }
}
