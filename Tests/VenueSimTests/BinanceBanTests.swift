import Foundation
import Testing
@testable import VenueSim

/// An IP that keeps sending after its 429s is banned: every request from it, public ones included, answers
/// HTTP 418 `-1003` "Way too many requests; IP(…) banned until <ms>…" until the ban ends; an admin ban does
/// the same on demand.
@Suite struct BinanceBanTests {
    private func bannedUntil(_ answer: HTTPAnswer) -> Int64? {
        guard let message = answer.object["msg"] as? String, let range = message.range(of: "banned until ") else { return nil }
        return Int64(message[range.upperBound...].prefix { $0.isNumber })
    }

    @Test func repeated429sEarnA418Ban() async throws {
        let h = try await SimHarness.start { $0.rateLimitOverrides = [SimRateLimitOverride(exchange: "binance", capacity: 80, windowMs: 60_000)] }
        #expect(try await h.binance(.GET, "/dapi/v1/openOrders", params: "").status == 200)  // 40
        #expect(try await h.binance(.GET, "/dapi/v1/openOrders", params: "").status == 200)  // 80
        for _ in 0..<5 {
            h.clock.advance(byMilliseconds: 100)
            let refused = try await h.binance(.GET, "/dapi/v1/openOrders", params: "")
            #expect(refused.status == 429)
            #expect(refused.object["code"] as? Int == -1003)
        }
        let banStart = h.nowMs
        h.clock.advance(byMilliseconds: 100)
        let banned = try await h.binance(.DELETE, "/dapi/v1/batchOrders", params: "symbol=BTCUSD_PERP&orderIdList=%5B1%5D")
        #expect(banned.status == 418)
        #expect(banned.object["code"] as? Int == -1003)
        let message = banned.object["msg"] as? String ?? ""
        #expect(message.hasPrefix("Way too many requests; IP(127.0.0.1) banned until "))
        #expect(message.hasSuffix(". Please use the websocket for live updates to avoid bans."))
        #expect(bannedUntil(banned) == banStart + 120_000)
        #expect(banned.header("Retry-After") == "120")
        // Every request from the IP, public and other accounts' alike, even once the weight window has passed.
        h.clock.advance(byMilliseconds: 70_000)
        #expect(try await h.send(.GET, "/dapi/v1/time").status == 418)
        #expect(await h.sim.binanceBans().map(\.untilMs) == [banStart + 120_000])
        #expect(await h.sim.requests(since: 0).last?.verdict == "banned")
        h.clock.set(milliseconds: banStart + 120_000)
        #expect(try await h.send(.GET, "/dapi/v1/time").status == 200)
        #expect(await h.sim.binanceBans().isEmpty)
        try await h.stop()
    }

    @Test func aSecondBanLastsTwiceAsLong() async throws {
        let h = try await SimHarness.start {
            $0.rateLimitOverrides = [SimRateLimitOverride(exchange: "binance", capacity: 1, windowMs: 1_000)]
            $0.binanceBanAfterRefusals = 2
            $0.binanceBanDurationMs = 10_000
        }
        func offend() async throws -> HTTPAnswer {
            _ = try await h.send(.GET, "/dapi/v1/time")
            _ = try await h.send(.GET, "/dapi/v1/time")
            return try await h.send(.GET, "/dapi/v1/time")
        }
        let first = try await offend()
        #expect(first.status == 429)
        #expect(bannedUntil(try await h.send(.GET, "/dapi/v1/time")) == h.nowMs + 10_000)
        h.clock.advance(byMilliseconds: 10_000)
        _ = try await offend()
        #expect(bannedUntil(try await h.send(.GET, "/dapi/v1/time")) == h.nowMs + 20_000)
        try await h.stop()
    }

    @Test func theAdminBanHoldsEveryAccountOnTheIP() async throws {
        let h = try await SimHarness.start { $0.accounts = SimHarness.accountsWithSecondKey() }
        let set = try await h.send(.POST, "/_sim/bans", body: #"{"durationMs":30000}"#)
        #expect(set.status == 200)
        #expect(((set.object["bans"] as? [[String: Any]])?.first?["ip"] as? String) == "*")
        for key in [TestCredentials.key, TestCredentials.otherAccountKey] {
            let answer = try await h.binance(.DELETE, "/dapi/v1/allOpenOrders", params: "symbol=BTCUSD_PERP", key: key)
            #expect(answer.status == 418)
            #expect(bannedUntil(answer) == h.nowMs + 30_000)
        }
        // Other venues are not Binance.
        #expect(try await h.send(.GET, "/api/v4/spot/time").status == 200)
        h.clock.advance(byMilliseconds: 29_999)
        #expect(try await h.send(.GET, "/dapi/v1/time").status == 418)
        h.clock.advance(byMilliseconds: 1)
        #expect(try await h.send(.GET, "/dapi/v1/time").status == 200)
        // One IP, then lifted.
        try await h.sim.banBinanceIP("127.0.0.1", forMilliseconds: 60_000)
        #expect(try await h.send(.GET, "/dapi/v1/time").status == 418)
        #expect(try await h.send(.GET, "/_sim/bans").object["bans"] as? [[String: Any]] != nil)
        #expect(try await h.send(.DELETE, "/_sim/bans").status == 200)
        #expect(try await h.send(.GET, "/dapi/v1/time").status == 200)
        #expect(try await h.send(.POST, "/_sim/bans", body: #"{"durationMs":-1}"#).status == 400)
        try await h.stop()
    }

    @Test func forcedRateLimitsDoNotBan() async throws {
        let h = try await SimHarness.start()
        try await h.sim.setFaults(SimFaults(exchange: "binance", forceRateLimit: true))
        for _ in 0..<10 { #expect(try await h.send(.GET, "/dapi/v1/time").status == 429) }
        #expect(await h.sim.binanceBans().isEmpty)
        try await h.stop()
    }
}
