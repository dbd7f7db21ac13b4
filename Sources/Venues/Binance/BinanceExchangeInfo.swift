import KillSwitchCore

/// Binance publishes its live request-weight limit in `GET /dapi/v1/exchangeInfo` (`rateLimits`, type
/// `REQUEST_WEIGHT`). The limit can change without notice, so the daemon reads it at start and with each
/// armed check instead of trusting the documented 2400/min.
extension BinanceAdapter: PublishesRateLimits {
    func exchangeInfoRequest() -> SignedRequest {
        SignedRequest(method: "GET", url: baseURL.origin + baseURL.pathPrefix + "/dapi/v1/exchangeInfo", headers: [], body: nil)
    }

    func parseRequestWeightLimit(_ answer: VenueHTTPAnswer) -> BucketLimit? {
        guard answer.isSuccess, let limits = JSONValue.parse(answer.body)?["rateLimits"]?.arrayValue else { return nil }
        for entry in limits where entry["rateLimitType"]?.text == "REQUEST_WEIGHT" {
            guard let limit = entry["limit"]?.int64, limit > 0, limit <= Int64(Int32.max),
                  let count = entry["intervalNum"]?.int64, count > 0, count <= 1_000,
                  let unit = entry["interval"]?.text.flatMap(Self.intervalSeconds)
            else { return nil }
            return BucketLimit(capacity: Int(limit), window: .seconds(unit * count))
        }
        return nil
    }

    /// Binance's `interval` enum in seconds.
    static func intervalSeconds(_ interval: String) -> Int64? {
        switch interval {
        case "SECOND": 1
        case "MINUTE": 60
        case "HOUR": 3_600
        case "DAY": 86_400
        default: nil
        }
    }
}

/// An adapter whose venue publishes its live rate limits (only Binance among ours).
protocol PublishesRateLimits: VenueAdapter {
    func exchangeInfoRequest() -> SignedRequest
    /// The `REQUEST_WEIGHT` limit from the answer; nil when absent or unreadable.
    func parseRequestWeightLimit(_ answer: VenueHTTPAnswer) -> BucketLimit?
}
