/// Binance COIN-M error codes (docs/venues.md §4c, §4d).
enum BinanceErrorCodes {
    static let table: [String: VenueCodeClass] = [
        // Order already gone.
        "-2011": .alreadyClosed,
        "-2013": .alreadyClosed,
        // Throttled.
        "-1003": .rateLimited,
        "-1015": .rateLimited,
        // Transient.
        "-1008": .retryable,
        "-1001": .retryable,
        // Execution status unknown: re-query before retrying.
        "-1006": .ambiguous,
        "-1007": .ambiguous,
        // Clock.
        "-1021": .clock,
        // Auth.
        "-1022": .credentials,
        "-2014": .credentials,
        "-2015": .credentials,
        "-1002": .credentials,
    ]
}
