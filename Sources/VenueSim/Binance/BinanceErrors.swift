/// Binance's `{"code": -n, "msg"}` errors with their HTTP statuses (docs/venues.md 4c/4d).
enum BinanceErrors {
    static func reply(status: Int, code: Int, message: String, verdict: String, account: String?) -> VenueReply {
        VenueReply(status: status, json: .object([("code", .int(code)), ("msg", .string(message))]), verdict: verdict, account: account)
    }

    static func mandatory(_ name: String, account: String?) -> VenueReply {
        reply(
            status: 400, code: -1102, message: "Mandatory parameter '\(name)' was not sent, was empty/null, or malformed.",
            verdict: "bad-request", account: account
        )
    }

    static func invalidData(_ name: String, account: String?) -> VenueReply {
        reply(status: 400, code: -1130, message: "Data sent for parameter '\(name)' is not valid.", verdict: "bad-request", account: account)
    }

    static func unknownOrder() -> JSONValue {
        .object([("code", .int(-2011)), ("msg", .string("Unknown order sent."))])
    }

    static func retryableOrderFailure() -> JSONValue {
        .object([("code", .int(-1001)), ("msg", .string("Internal error; unable to process your request. Please try again."))])
    }
}
