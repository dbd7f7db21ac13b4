/// Gate's error labels (docs/venues.md §1d), spot and futures together.
enum GateErrorLabels {
    static let table: [String: VenueCodeClass] = [
        // Order already gone: treat as done.
        "ORDER_NOT_FOUND": .alreadyClosed,
        "ORDER_CLOSED": .alreadyClosed,
        "ORDER_CANCELLED": .alreadyClosed,
        "ORDER_FINISHED": .alreadyClosed,
        "CLIENT_ID_NOT_FOUND": .alreadyClosed,
        // Not ours / configuration.
        "ORDER_NOT_OWNED": .rejected,
        "CONTRACT_NOT_FOUND": .rejected,
        "INVALID_CURRENCY_PAIR": .rejected,
        "USER_NOT_FOUND": .rejected,
        "MIXED_ACCOUNT_TYPE": .rejected,
        // Transient.
        "TOO_MANY_REQUESTS": .rateLimited,
        "TOO_BUSY": .retryable,
        "INTERNAL": .retryable,
        "SERVER_ERROR": .retryable,
        "CANCEL_FAIL": .retryable,
        // Clock.
        "REQUEST_EXPIRED": .clock,
        // Auth: page a human.
        "INVALID_KEY": .credentials,
        "INVALID_SIGNATURE": .credentials,
        "INVALID_CREDENTIALS": .credentials,
        "MISSING_REQUIRED_HEADER": .credentials,
        "IP_FORBIDDEN": .credentials,
        "READ_ONLY": .credentials,
        "FORBIDDEN": .credentials,
        "ACCOUNT_LOCKED": .credentials,
        "AUTHENTICATION_FAILED": .credentials,
        // Malformed request.
        "INVALID_PARAM_VALUE": .rejected,
        "INVALID_ARGUMENT": .rejected,
        "INVALID_REQUEST_BODY": .rejected,
        "MISSING_REQUIRED_PARAM": .rejected,
        "BAD_REQUEST": .rejected,
        "INVALID_CONTENT_TYPE": .rejected,
        "NOT_FOUND": .rejected,
    ]

    /// Gate futures failures carry only free text (`message`): find a known label in it as a whole
    /// upper-case token (so `ORDER_NOT_FOUND` never reads as `NOT_FOUND`). nil when none is there.
    static func label(inMessage message: String) -> String? {
        let tokens = message.split { !($0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_")) }
        return tokens.lazy.map(String.init).first { table[$0] != nil }
    }
}
