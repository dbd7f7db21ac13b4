import Foundation
import NIOHTTP1
import Testing
@testable import VenueSim

/// Strict counting: a request is refused when admitting it would put more than N requests (Binance: weight)
/// in any window of W − tolerance (5 ms by default) of the manual clock. N requests sent in the first half of
/// a window, then one more inside it: refused, the venue's way; at W − tolerance after the first, admitted.
/// A 2× burst into an empty log gets exactly N through.
@Suite struct RateLimitTests {
    static let gateBatch = "/api/v4/futures/usdt/batch_cancel_orders"
    static let bitgetBatch = "/api/v2/mix/order/batch-cancel-orders"
    static let bitgetBody = #"{"symbol":"BTCUSDT","productType":"USDT-FUTURES","orderIdList":[{"orderId":"1"}]}"#
    static let htxBatch = "/v1/order/orders/batchcancel"
    static let htxBody = #"{"order-ids":["1"]}"#

    /// Sends `count` requests `spacingMs` apart on the manual clock (the first at the current time); returns
    /// the statuses.
    private func spaced(_ h: SimHarness, count: Int, spacingMs: Int64, _ send: () async throws -> HTTPAnswer) async throws -> [Int] {
        var statuses: [Int] = []
        for index in 0..<count {
            if index > 0 { h.clock.advance(byMilliseconds: spacingMs) }
            statuses.append(try await send().status)
        }
        return statuses
    }

    @Test func gateRefusesTheRequestOverTheStrictCount() async throws {
        let h = try await SimHarness.start()
        let start = h.nowMs
        // 200 cancels 2 ms apart (batch cancels and cancel-alls share the pool), all in the first 400 ms.
        let statuses = try await spaced(h, count: 200, spacingMs: 2) {
            h.nowMs % 4 == 0
                ? try await h.gate(.POST, Self.gateBatch, body: #"["1"]"#)
                : try await h.gate(.DELETE, "/api/v4/futures/usdt/orders")
        }
        #expect(statuses == Array(repeating: 200, count: 200))
        h.clock.set(milliseconds: start + 400)
        let over = try await h.gate(.POST, Self.gateBatch, body: #"["1"]"#)
        #expect(over.status == 429)
        #expect(over.object["label"] as? String == "TOO_MANY_REQUESTS")
        #expect(over.header("X-Gate-RateLimit-Requests-Remain") == "0")
        #expect(over.header("X-Gate-RateLimit-Limit") == "200")
        // Reopens when the first arrival leaves the 995 ms window (1000 − 5 ms tolerance): at start + 995.
        #expect(over.header("X-Gate-RateLimit-Reset-Timestamp") == String((start + 995 + 999) / 1000))
        // Other pools: spot's cancels, and the futures listing (200 per 10 s per endpoint).
        #expect(try await h.gate(.POST, "/api/v4/spot/cancel_batch_orders", body: #"[{"currency_pair":"BTC_USDT","id":"1"}]"#).status == 200)
        #expect(try await h.gate(.GET, "/api/v4/futures/usdt/orders", query: "status=open").status == 200)
        // The other settle counts in the same futures pool (the stricter reading).
        #expect(try await h.gate(.POST, "/api/v4/futures/btc/batch_cancel_orders", body: #"["1"]"#).status == 429)
        h.clock.set(milliseconds: start + 994)
        #expect(try await h.gate(.POST, Self.gateBatch, body: #"["1"]"#).status == 429)
        h.clock.set(milliseconds: start + 995)
        let back = try await h.gate(.POST, Self.gateBatch, body: #"["1"]"#)
        #expect(back.status == 200)
        #expect(back.header("X-Gate-RateLimit-Requests-Remain") == "0")
        #expect(try await h.gate(.POST, Self.gateBatch, body: #"["1"]"#).status == 429)
        let log = await h.sim.requests(since: 0)
        #expect(log.filter { $0.verdict == "rate-limited" }.count == 4)
        #expect(log.first?.limitKey == "gate|futures|uid:10001|cancels")
        try await h.stop()
    }

    @Test func aDoubleBurstIntoAnEmptyLogGetsExactlyN() async throws {
        let h = try await SimHarness.start()
        // Gate: 400 at one instant, concurrently.
        let gateStatuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<400 { group.addTask { try await h.gate(.POST, Self.gateBatch, body: #"["1"]"#).status } }
            var statuses: [Int] = []
            for try await status in group { statuses.append(status) }
            return statuses
        }
        #expect(gateStatuses.filter { $0 == 200 }.count == 200)
        #expect(gateStatuses.filter { $0 == 429 }.count == 200)
        // HTX 100 → 50; Bitget 20 → 10.
        var htx: [Int] = []
        for _ in 0..<100 { htx.append(try await h.htx(.POST, Self.htxBatch, body: Self.htxBody).status) }
        #expect(htx.prefix(50).allSatisfy { $0 == 200 })
        #expect(htx.suffix(50).allSatisfy { $0 == 429 })
        var bitget: [Int] = []
        for _ in 0..<20 { bitget.append(try await h.bitget(.POST, Self.bitgetBatch, body: Self.bitgetBody).status) }
        #expect(bitget == Array(repeating: 200, count: 10) + Array(repeating: 429, count: 10))
        // What the benchmark prints: per limit key, the busiest window of its published W.
        let summaries = await h.sim.arrivalSummaries()
        let gate = summaries.first { $0.limitKey == "gate|futures|uid:10001|cancels" }
        #expect(gate?.requests == 400)
        #expect(gate?.refused == 200)
        #expect(gate?.maxArrivals == 400)
        #expect(gate?.limit == 200)
        #expect(gate?.windowMs == 1_000)
        #expect(gate?.withinLimit == false)
        let admitted = await h.sim.arrivalSummaries(admittedOnly: true)
        #expect(admitted.first { $0.limitKey == "gate|futures|uid:10001|cancels" }?.maxArrivals == 200)
        #expect(admitted.allSatisfy { $0.withinLimit })
        #expect(admitted.first { $0.limitKey == "htx|spot|uid:10001|\(Self.htxBatch)" }?.maxArrivals == 50)
        #expect(admitted.first { $0.limitKey == "bitget|futures|uid:10001|\(Self.bitgetBatch)" }?.maxArrivals == 10)
        // By filter over the admin API, with an explicit window.
        let byPath = try await h.send(.GET, "/_sim/arrivals?exchange=htx&path=\(Self.htxBatch)&windowMs=2000&admittedOnly=true")
        #expect(byPath.object["maxArrivals"] as? Int == 50)
        #expect(byPath.object["requests"] as? Int == 50)
        let byKey = try await h.send(.GET, "/_sim/arrivals?key=bitget%7Cfutures%7Cuid%3A10001%7C%2Fapi%2Fv2%2Fmix%2Forder%2Fbatch-cancel-orders")
        #expect(byKey.object["maxArrivals"] as? Int == 20)
        #expect(byKey.object["limit"] as? Double == 10)
        #expect(byKey.object["windowMs"] as? Int == 1_000)
        let all = try await h.send(.GET, "/_sim/arrivals")
        #expect(all.array.count == summaries.count)
        #expect(try await h.send(.GET, "/_sim/arrivals?exchange=htx").status == 400)  // no key: a window is needed
        try await h.stop()
    }

    @Test func htxCountsPerAccountAcrossKeys() async throws {
        let h = try await SimHarness.start { $0.accounts = SimHarness.accountsWithSecondKey() }
        let start = h.nowMs
        // 50 in the first second, 20 ms apart, alternating two keys of one uid.
        let statuses = try await spaced(h, count: 50, spacingMs: 20) {
            try await h.htx(.POST, Self.htxBatch, body: Self.htxBody, key: (h.nowMs - start) % 40 == 0 ? TestCredentials.key : TestCredentials.secondKey)
        }
        #expect(statuses.allSatisfy { $0 == 200 })
        h.clock.set(milliseconds: start + 1_000)
        let over = try await h.htx(.POST, Self.htxBatch, body: Self.htxBody, key: TestCredentials.secondKey)
        #expect(over.status == 429)
        #expect(over.object["err-code"] as? String == "base-request-exceed-frequency-limit")
        #expect(over.header("X-HB-RateLimit-Requests-Remain") == "0")
        #expect(over.header("X-HB-RateLimit-Requests-Expire") == String(start + 1_995))
        // Another account has its own pool; the listing endpoint its own count.
        #expect(try await h.htx(.POST, Self.htxBatch, body: Self.htxBody, key: TestCredentials.otherAccountKey).status == 200)
        #expect(try await h.htx(.GET, "/v1/order/openOrders").status == 200)
        h.clock.set(milliseconds: start + 1_994)
        #expect(try await h.htx(.POST, Self.htxBatch, body: Self.htxBody).status == 429)
        h.clock.set(milliseconds: start + 1_995)
        #expect(try await h.htx(.POST, Self.htxBatch, body: Self.htxBody).status == 200)
        try await h.stop()
    }

    @Test func bitgetCountsPerAccountPerEndpoint() async throws {
        let h = try await SimHarness.start { $0.accounts = SimHarness.accountsWithSecondKey() }
        let start = h.nowMs
        let statuses = try await spaced(h, count: 10, spacingMs: 50) {
            try await h.bitget(.POST, Self.bitgetBatch, body: Self.bitgetBody)
        }
        #expect(statuses.allSatisfy { $0 == 200 })
        h.clock.set(milliseconds: start + 500)
        let over = try await h.bitget(.POST, Self.bitgetBatch, body: Self.bitgetBody, key: TestCredentials.secondKey)
        #expect(over.status == 429)
        #expect(over.object["code"] as? String == "429")
        // orders-pending and cancel-all-orders have their own 10/s.
        #expect(try await h.bitget(.GET, "/api/v2/mix/order/orders-pending", query: "productType=USDT-FUTURES").status == 200)
        #expect(try await h.bitget(.POST, "/api/v2/mix/order/cancel-all-orders", body: #"{"productType":"USDT-FUTURES"}"#).status == 200)
        #expect(try await h.bitget(.POST, Self.bitgetBatch, body: Self.bitgetBody, key: TestCredentials.otherAccountKey).status == 200)
        h.clock.set(milliseconds: start + 994)
        #expect(try await h.bitget(.POST, Self.bitgetBatch, body: Self.bitgetBody).status == 429)
        h.clock.set(milliseconds: start + 995)
        #expect(try await h.bitget(.POST, Self.bitgetBatch, body: Self.bitgetBody).status == 200)
        // Ten more, each 100 ms after the previous: evenly spaced at the published rate is never refused.
        for _ in 0..<10 {
            h.clock.advance(byMilliseconds: 100)
            #expect(try await h.bitget(.POST, Self.bitgetBatch, body: Self.bitgetBody).status == 200)
        }
        try await h.stop()
    }

    @Test func binanceCountsWeightPerIPAndReportsIt() async throws {
        let h = try await SimHarness.start { $0.accounts = SimHarness.accountsWithSecondKey() }
        let start = h.nowMs
        // Listing without symbol weighs 40: 60 fill 2400, half a second apart, two accounts on one IP.
        var last: HTTPAnswer?
        for index in 0..<60 {
            if index > 0 { h.clock.advance(byMilliseconds: 500) }
            last = try await h.binance(.GET, "/dapi/v1/openOrders", params: "", key: index % 2 == 0 ? TestCredentials.key : TestCredentials.otherAccountKey)
            #expect(last?.status == 200)
        }
        #expect(last?.header("X-MBX-USED-WEIGHT-1M") == "2400")
        h.clock.set(milliseconds: start + 30_000)
        let over = try await h.binance(.GET, "/dapi/v1/openOrders", params: "symbol=BTCUSD_PERP")  // weight 1
        #expect(over.status == 429)
        #expect(over.object["code"] as? Int == -1003)
        #expect(over.header("X-MBX-USED-WEIGHT-1M") == "2400")
        #expect(over.header("Retry-After") == "30")  // the first 40 leave the 59 995 ms window at start + 59 995
        #expect(try await h.send(.GET, "/dapi/v1/time").status == 429)  // public endpoints count too
        h.clock.set(milliseconds: start + 59_994)
        #expect(try await h.binance(.GET, "/dapi/v1/openOrders", params: "").status == 429)
        h.clock.set(milliseconds: start + 59_995)
        let back = try await h.binance(.GET, "/dapi/v1/openOrders", params: "")
        #expect(back.status == 200)
        #expect(back.header("X-MBX-USED-WEIGHT-1M") == "2400")
        // Read back on the published minute, the tolerance shows: 61 × 40 arrived within 60 000 ms (the last
        // 59 995 ms after the first); on the judged window it is 2400.
        let key = SimArrivalFilter(limitKey: "binance|futures|ip:127.0.0.1", admittedOnly: true)
        let summary = try await h.sim.maxArrivals(key)
        #expect(summary.maxWeight == 2440)
        #expect(summary.maxArrivals == 61)
        #expect(summary.limit == 2400)
        #expect(summary.withinLimit == false)
        #expect(try await h.sim.maxArrivals(key, windowMs: 59_995).maxWeight == 2400)
        try await h.stop()
    }

    @Test func aDoubleBinanceBurstGetsExactlyTheWeightThenABan() async throws {
        let h = try await SimHarness.start()
        var statuses: [Int] = []
        for _ in 0..<120 { statuses.append(try await h.binance(.GET, "/dapi/v1/openOrders", params: "").status) }  // 2 × 2400
        #expect(statuses.prefix(60).allSatisfy { $0 == 200 })
        #expect(Array(statuses[60..<65]) == Array(repeating: 429, count: 5))  // then banned: it kept sending
        #expect(statuses.suffix(55).allSatisfy { $0 == 418 })
        let summary = try await h.sim.maxArrivals(SimArrivalFilter(exchange: "binance", path: "/dapi/v1/*", admittedOnly: true), windowMs: 60_000)
        #expect(summary.maxWeight == 2400)
        #expect(summary.requests == 60)
        try await h.stop()
    }

    @Test func overridesAndTheMasterSwitchStillApply() async throws {
        let h = try await SimHarness.start {
            $0.rateLimitOverrides = [SimRateLimitOverride(exchange: "bitget", capacity: 2, windowMs: 1_000)]
        }
        #expect(try await h.bitget(.POST, Self.bitgetBatch, body: Self.bitgetBody).status == 200)
        #expect(try await h.bitget(.POST, Self.bitgetBatch, body: Self.bitgetBody).status == 200)
        #expect(try await h.bitget(.POST, Self.bitgetBatch, body: Self.bitgetBody).status == 429)
        try await h.sim.setRateLimit(SimRateLimitOverride(exchange: "bitget", enabled: false))
        for _ in 0..<20 {
            #expect(try await h.bitget(.POST, Self.bitgetBatch, body: Self.bitgetBody).status == 200)
        }
        #expect(await h.sim.requests(since: 0).last?.limitKey == nil)  // not counted while off
        await h.sim.setRateLimits(enabled: false)
        for _ in 0..<300 {
            #expect(try await h.gate(.POST, Self.gateBatch, body: #"["1"]"#).status == 200)
        }
        try await h.stop()
    }

    @Test func gateSettlesMayCountApart() async throws {
        let h = try await SimHarness.start { $0.compatibility.gateFuturesSettlesShareCancelPool = false }
        for _ in 0..<200 { #expect(try await h.gate(.POST, Self.gateBatch, body: #"["1"]"#).status == 200) }
        #expect(try await h.gate(.POST, Self.gateBatch, body: #"["1"]"#).status == 429)
        let btc = try await h.gate(.POST, "/api/v4/futures/btc/batch_cancel_orders", body: #"["1"]"#)
        #expect(btc.status == 200)
        #expect(await h.sim.requests(since: 0).last?.limitKey == "gate|futures|uid:10001|cancels|btc")
        try await h.stop()
    }

    @Test func zeroToleranceJudgesOnTheFullWindow() async throws {
        let h = try await SimHarness.start { $0.rateLimitToleranceMs = 0 }
        let start = h.nowMs
        for _ in 0..<10 { #expect(try await h.bitget(.POST, Self.bitgetBatch, body: Self.bitgetBody).status == 200) }
        h.clock.set(milliseconds: start + 999)
        #expect(try await h.bitget(.POST, Self.bitgetBatch, body: Self.bitgetBody).status == 429)
        h.clock.set(milliseconds: start + 1_000)
        #expect(try await h.bitget(.POST, Self.bitgetBatch, body: Self.bitgetBody).status == 200)
        try await h.stop()
    }
}

/// The arrival log itself: every window containing an out-of-order arrival is checked, and memory stays
/// bounded by one window of traffic.
@Suite struct ArrivalLogTests {
    @Test func outOfOrderArrivalsAreCheckedInEveryWindow() {
        var log = ArrivalLog()
        for time in [0, 10, 20, 30] as [Int64] { log.insert(time, cost: 1) }
        // A late-processed arrival stamped 5: the window [5, 105) holds 10, 20, 30 and it → 4.
        #expect(log.heaviestWindow(containing: 5, windowMs: 100, extra: 1) == 5)  // [0, 100) holds all five
        log.insert(5, cost: 1)
        #expect(log.times == [0, 5, 10, 20, 30])
        #expect(log.cost(from: 5, to: 31) == 4)
        // Arrival 120: (20, 120] holds 30 → 2 with it.
        #expect(log.heaviestWindow(containing: 120, windowMs: 100, extra: 1) == 2)
        // Weighted.
        var weights = ArrivalLog()
        weights.insert(0, cost: 40)
        weights.insert(10, cost: 1)
        #expect(weights.heaviestWindow(containing: 50, windowMs: 100, extra: 10) == 51)
        #expect(weights.earliestAdmission(at: 50, windowMs: 100, limit: 45, extra: 10) == 100)
    }

    @Test func oldArrivalsArePruned() {
        var limiter = RateLimiter(enabled: true, overrides: [], toleranceMs: 5)
        var now: Int64 = 0
        for _ in 0..<100_000 {
            now += 1
            _ = limiter.draw(exchange: "bitget", market: "futures", key: "k", published: .bitgetPerEndpoint, cost: 1, now: now)
        }
        var log = ArrivalLog()
        for time in 0..<10_000 as Range<Int64> {
            log.insert(time, cost: 1)
            log.prune(before: time - 1_000)
        }
        #expect(log.times.count <= 1_000 + 64)
        #expect(log.cost(from: 9_000, to: 10_000) == 1_000)
    }
}
