import KillSwitchCore
import Testing
@testable import Venues

@Suite("Rate-limit headers")
struct RateLimitHeaderTests {
    let now: Int64 = 1_700_000_000_000

    @Test func noHeadersNoSignal() {
        #expect(RateLimitHeaders.signal(VenueHTTPAnswer(status: 200, body: ""), throttled: false, serverNowMilliseconds: now) == nil)
    }

    @Test func gateUsageAndReset() {
        let answer = VenueHTTPAnswer(status: 200, headers: [HTTPField("x-gate-ratelimit-requests-remain", "153"), HTTPField("X-Gate-RateLimit-Limit", "200"),
                                                           HTTPField("X-Gate-RateLimit-Reset-Timestamp", "1700000000")], body: "[]")
        // Not throttled: the reset header is just the server time and is not a delay.
        #expect(RateLimitHeaders.signal(answer, throttled: false, serverNowMilliseconds: now) == RateLimitSignal(throttled: false, remaining: 153))
    }

    @Test func htxUsageAndExpiryWhenThrottled() {
        let answer = VenueHTTPAnswer(status: 200, headers: [HTTPField("X-HB-RateLimit-Requests-Remain", "0"), HTTPField("X-HB-RateLimit-Requests-Expire", "1700000001500")],
                                     body: #"{"status":"error","err-code":"base-request-exceed-frequency-limit"}"#)
        #expect(RateLimitHeaders.signal(answer, throttled: true, serverNowMilliseconds: now) == RateLimitSignal(throttled: true, retryAfterMilliseconds: 1500, remaining: 0))
    }

    @Test func binanceWeightAndBan() {
        let answer = VenueHTTPAnswer(status: 418, headers: [HTTPField("Retry-After", "120"), HTTPField("X-MBX-USED-WEIGHT-1M", "2401")], body: #"{"code":-1003,"msg":"banned"}"#)
        // A ban without a readable end: held for the minimum from now.
        #expect(RateLimitHeaders.signal(answer, throttled: false, serverNowMilliseconds: now) == RateLimitSignal(throttled: true, retryAfterMilliseconds: 120_000, usedWeight: 2401,
                                                                                                             bannedUntilMilliseconds: now + 120_000))
    }

    @Test func binanceBanEndIsReadFromTheMessage() {
        let body = #"{"code":-1003,"msg":"Way too many requests; IP(127.0.0.1) banned until 1700000300000. Please use the websocket for live updates to avoid bans."}"#
        let answer = VenueHTTPAnswer(status: 418, headers: [], body: body)
        #expect(RateLimitHeaders.signal(answer, throttled: false, serverNowMilliseconds: now)?.bannedUntilMilliseconds == 1_700_000_300_000)
        // A 429 is not a ban.
        #expect(RateLimitHeaders.signal(VenueHTTPAnswer(status: 429, headers: [], body: body), throttled: false, serverNowMilliseconds: now)?.bannedUntilMilliseconds == nil)
    }

    @Test func retryAfterWinsOverResetHeader() {
        let answer = VenueHTTPAnswer(status: 429, headers: [HTTPField("Retry-After", "1"), HTTPField("X-Gate-RateLimit-Reset-Timestamp", "1700000009")], body: "")
        #expect(RateLimitHeaders.signal(answer, throttled: false, serverNowMilliseconds: now)?.retryAfterMilliseconds == 1000)
    }
}
