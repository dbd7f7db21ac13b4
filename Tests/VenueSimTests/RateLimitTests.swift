import Foundation
import Testing
@testable import VenueSim

/// The request over the bucket is refused the venue's way, and accepted again once the manual clock has
/// refilled a token. The bucket forgives 5 ms of early arrival, so at one instant capacity + 5 ms of
/// refill pass.
@Suite struct RateLimitTests {
    @Test func gateCancelBucketIsSharedByBatchAndCancelAll() async throws {
        let h = try await SimHarness.start()
        var accepted = 0
        var refused: HTTPAnswer?
        for index in 0..<250 {
            let answer = index % 2 == 0
                ? try await h.gate(.POST, "/api/v4/futures/usdt/batch_cancel_orders", body: #"["1"]"#)
                : try await h.gate(.DELETE, "/api/v4/futures/usdt/orders")
            if answer.status == 200 { accepted += 1 } else { refused = answer; break }
        }
        #expect(accepted == 201)  // 200 + 5 ms × 200/s
        #expect(refused?.status == 429)
        #expect(refused?.object["label"] as? String == "TOO_MANY_REQUESTS")
        #expect(refused?.header("X-Gate-RateLimit-Requests-Remain") == "0")
        #expect(refused?.header("X-Gate-RateLimit-Reset-Timestamp") != nil)
        // Spot's cancels have their own bucket; listings draw from another.
        #expect(try await h.gate(.POST, "/api/v4/spot/cancel_batch_orders", body: #"[{"currency_pair":"BTC_USDT","id":"1"}]"#).status == 200)
        #expect(try await h.gate(.GET, "/api/v4/futures/usdt/orders", query: "status=open").status == 200)
        h.clock.advance(byMilliseconds: 5)
        #expect(try await h.gate(.POST, "/api/v4/futures/usdt/batch_cancel_orders", body: #"["1"]"#).status == 200)
        #expect(try await h.gate(.POST, "/api/v4/futures/usdt/batch_cancel_orders", body: #"["1"]"#).status == 429)
        #expect(await h.sim.requests(since: 0).contains { $0.verdict == "rate-limited" && $0.status == 429 })
        try await h.stop()
    }

    @Test func bitgetAndHTXPerEndpointBuckets() async throws {
        let h = try await SimHarness.start()
        let body = #"{"symbol":"BTCUSDT","productType":"USDT-FUTURES","orderIdList":[{"orderId":"1"}]}"#
        for _ in 0..<10 {
            #expect(try await h.bitget(.POST, "/api/v2/mix/order/batch-cancel-orders", body: body).status == 200)
        }
        let refused = try await h.bitget(.POST, "/api/v2/mix/order/batch-cancel-orders", body: body)
        #expect(refused.status == 429)
        #expect(refused.object["code"] as? String == "429")
        #expect(try await h.bitget(.GET, "/api/v2/mix/order/orders-pending", query: "productType=USDT-FUTURES").status == 200)
        h.clock.advance(byMilliseconds: 95)  // 100 ms per token, 5 ms forgiven
        #expect(try await h.bitget(.POST, "/api/v2/mix/order/batch-cancel-orders", body: body).status == 200)

        for _ in 0..<50 {
            #expect(try await h.htx(.POST, "/v1/order/orders/batchcancel", body: #"{"order-ids":["1"]}"#).object["status"] as? String == "ok")
        }
        let htxRefused = try await h.htx(.POST, "/v1/order/orders/batchcancel", body: #"{"order-ids":["1"]}"#)
        #expect(htxRefused.status == 429)
        #expect(htxRefused.object["err-code"] as? String == "base-request-exceed-frequency-limit")
        #expect(htxRefused.header("X-HB-RateLimit-Requests-Remain") == "0")
        h.clock.advance(byMilliseconds: 40)
        #expect(try await h.htx(.POST, "/v1/order/orders/batchcancel", body: #"{"order-ids":["1"]}"#).status == 200)
        try await h.stop()
    }

    @Test func binanceWeightIsPerIPAndReportedInHeaders() async throws {
        let h = try await SimHarness.start()
        for index in 0..<60 {
            let answer = try await h.binance(.GET, "/dapi/v1/openOrders", params: "")  // weight 40 without symbol
            #expect(answer.status == 200)
            if index == 59 { #expect(answer.header("X-MBX-USED-WEIGHT-1M") == "2400") }
        }
        let refused = try await h.binance(.GET, "/dapi/v1/openOrders", params: "")
        #expect(refused.status == 429)
        #expect(refused.object["code"] as? Int == -1003)
        #expect(refused.header("Retry-After") == "1")
        #expect(try await h.send(.GET, "/dapi/v1/time").status == 429)  // public endpoints draw weight too
        h.clock.advance(byMilliseconds: 1_000)  // 40 weight back
        #expect(try await h.binance(.GET, "/dapi/v1/openOrders", params: "").status == 200)
        try await h.stop()
    }

    @Test func limitsCanBeOverriddenAndSwitchedOff() async throws {
        let h = try await SimHarness.start {
            $0.rateLimitOverrides = [SimRateLimitOverride(exchange: "bitget", capacity: 2, windowMs: 1_000)]
        }
        let body = #"{"symbol":"BTCUSDT","productType":"USDT-FUTURES","orderIdList":[{"orderId":"1"}]}"#
        #expect(try await h.bitget(.POST, "/api/v2/mix/order/batch-cancel-orders", body: body).status == 200)
        #expect(try await h.bitget(.POST, "/api/v2/mix/order/batch-cancel-orders", body: body).status == 200)
        #expect(try await h.bitget(.POST, "/api/v2/mix/order/batch-cancel-orders", body: body).status == 429)
        await h.sim.setRateLimits(enabled: false)
        for _ in 0..<20 {
            #expect(try await h.bitget(.POST, "/api/v2/mix/order/batch-cancel-orders", body: body).status == 200)
        }
        try await h.stop()
    }
}
