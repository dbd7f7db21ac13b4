/// Bitget error codes (docs/venues.md §3c, §3d).
enum BitgetErrorCodes {
    static let success = "00000"

    static let table: [String: VenueCodeClass] = [
        // Order already gone.
        "43001": .alreadyClosed,
        "40768": .alreadyClosed,
        "40109": .alreadyClosed,
        "43004": .alreadyClosed,
        "22001": .alreadyClosed,
        // Throttled / transient.
        "429": .rateLimited,
        "1001": .rateLimited,
        "40010": .retryable,
        "40015": .retryable,
        "40910": .retryable,
        "45001": .retryable,
        "40725": .retryable,
        // Clock: resync and retry once.
        "40004": .clock,
        "40008": .clock,
        "40078": .clock,
        // Timestamp format and receiveWindow size are our request's fault, not the clock's.
        "40005": .rejected,
        "40079": .rejected,
        // Auth / permission.
        "40001": .credentials,
        "40002": .credentials,
        "40003": .credentials,
        "40006": .credentials,
        "40009": .credentials,
        "40011": .credentials,
        "40012": .credentials,
        "40014": .credentials,
        "40018": .credentials,
        "40038": .credentials,
        "40037": .credentials,
        // Structural.
        "40085": .rejected,
        "40912": .rejected,
        "40017": .rejected,
        "40019": .rejected,
        "40020": .rejected,
    ]

    /// Per-order failures may come without `errorCode` (the doc's own example: `"errorMsg":"notExistend"`):
    /// only an unmistakable "does not exist" text counts as already gone; anything else stays unknown.
    static func classOfMessage(_ message: String?) -> VenueCodeClass? {
        guard let message else { return nil }
        let squashed = message.lowercased().filter { $0.isLetter }
        let gone = ["notexist", "doesnotexist", "ordernotfound", "nosuchorder", "notoordertocancel"]
        return gone.contains { squashed.contains($0) } ? .alreadyClosed : nil
    }
}
