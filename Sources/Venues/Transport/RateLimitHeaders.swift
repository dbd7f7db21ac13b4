import KillSwitchCore

/// Reads the rate-limit signals of an answer: 429/418 or a throttle verdict, `Retry-After` (seconds) or
/// the venue's reset header, and the usage headers (docs/venues.md §1c, §2c, §4c).
enum RateLimitHeaders {
    static func signal(_ answer: VenueHTTPAnswer, throttled verdictThrottled: Bool, serverNowMilliseconds: Int64) -> RateLimitSignal? {
        let throttled = verdictThrottled || answer.status == 429 || answer.status == 418
        var retryAfter: Int64?
        if let value = answer.header("Retry-After").flatMap({ Int64($0.trimmingSpaces) }) {
            retryAfter = max(0, value) * 1000
        }
        var remaining: Int?
        var used: Int?
        if let value = answer.header("X-Gate-RateLimit-Requests-Remain") ?? answer.header("X-HB-RateLimit-Requests-Remain") {
            remaining = Int(value.trimmingSpaces)
        }
        if let value = answer.header("X-MBX-USED-WEIGHT-1M") { used = Int(value.trimmingSpaces) }
        // Binance's 418: "Way too many requests; IP(…) banned until 1700000000000. …" — the whole IP is held
        // until then; a ban whose end cannot be read is held for the minimum (the limiter's floor).
        var bannedUntil: Int64?
        if answer.status == 418 {
            bannedUntil = Self.banEnd(answer.body) ?? serverNowMilliseconds + VenueRateLimits.minimumBanHold.nanoseconds / 1_000_000
        }
        // Reset times: Gate's in seconds (per its Chinese doc), HTX's `Expire` probably epoch ms (UNVERIFIED):
        // a value above 10^11 is taken as ms, else seconds. Only consulted when throttled.
        if throttled, retryAfter == nil,
           let reset = (answer.header("X-Gate-RateLimit-Reset-Timestamp") ?? answer.header("X-HB-RateLimit-Requests-Expire")).flatMap({ Int64($0.trimmingSpaces) }) {
            let resetMs = reset > 100_000_000_000 ? reset : reset * 1000
            retryAfter = max(0, resetMs - serverNowMilliseconds)
        }
        guard throttled || retryAfter != nil || remaining != nil || used != nil else { return nil }
        return RateLimitSignal(throttled: throttled, retryAfterMilliseconds: retryAfter, remaining: remaining, usedWeight: used,
                               bannedUntilMilliseconds: bannedUntil)
    }

    /// The epoch-ms after "banned until" in a ban message, if any.
    static func banEnd(_ body: String) -> Int64? {
        guard let range = body.range(of: "banned until ") else { return nil }
        let digits = body[range.upperBound...].prefix { $0.isNumber }
        return digits.count >= 12 ? Int64(digits) : nil
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
