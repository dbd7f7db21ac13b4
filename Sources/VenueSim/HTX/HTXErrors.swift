/// HTX's error envelopes. v1 answers HTTP 200 `{"status":"error","err-code","err-msg","data":null}`;
/// v2 answers `{"code": n, "message"}` (v2 codes 1003 "invalid signature", 2002 invalid field value,
/// 2003 missing field: from HTX's v2 code table, not re-verified here).
enum HTXErrors {
    static func v1(_ code: String, _ message: String, verdict: String, account: String?, status: Int = 200) -> VenueReply {
        VenueReply(
            status: status,
            json: .object([("status", .string("error")), ("err-code", .string(code)), ("err-msg", .string(message)), ("data", .null)]),
            verdict: verdict,
            account: account
        )
    }

    static func v2(_ code: Int, _ message: String, verdict: String, account: String?, status: Int = 200) -> VenueReply {
        VenueReply(status: status, json: .object([("code", .int(code)), ("message", .string(message))]), verdict: verdict, account: account)
    }

    /// Rate limited. The exact answer is UNVERIFIED (docs/venues.md 2c): ccxt maps
    /// `base-request-exceed-frequency-limit` to a rate limit; the HTTP status is configurable (default 429).
    static func tooManyRequests(v2: Bool, account: String, status: Int) -> VenueReply {
        v2
            ? Self.v2(1006, "Exceed rate limit", verdict: "rate-limited", account: account, status: status)
            : v1("base-request-exceed-frequency-limit", "Request exceeds frequency limit", verdict: "rate-limited", account: account, status: status)
    }

    static func serverError(v2: Bool) -> VenueReply {
        v2
            ? Self.v2(500, "Internal error", verdict: "fault:error", account: nil, status: 500)
            : v1("base-system-error", "System error, please try again later", verdict: "fault:error", account: nil, status: 500)
    }
}
