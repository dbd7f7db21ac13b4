/// Gate's error answers: `{"label", "message"}` with 401 for authentication, 400 for bad input,
/// 429 for throttling, 5xx for the server (gate-doc "HTTP convention").
enum GateErrors {
    static func reply(status: Int, label: String, message: String, verdict: String, account: String? = nil) -> VenueReply {
        VenueReply(
            status: status,
            json: .object([("label", .string(label)), ("message", .string(message))]),
            verdict: verdict,
            account: account
        )
    }

    static func badRequest(_ label: String, _ message: String, account: String?) -> VenueReply {
        reply(status: 400, label: label, message: message, verdict: "bad-request", account: account)
    }

    static func notFound(_ path: String) -> VenueReply {
        reply(status: 404, label: "NOT_FOUND", message: "Not found: \(path)", verdict: "not-found")
    }

    static func tooManyRequests(account: String) -> VenueReply {
        reply(status: 429, label: "TOO_MANY_REQUESTS", message: "Request Rate limit Exceeded (311)", verdict: "rate-limited", account: account)
    }

    static func serverError() -> VenueReply {
        reply(status: 500, label: "SERVER_ERROR", message: "Internal server error", verdict: "fault:error")
    }
}
