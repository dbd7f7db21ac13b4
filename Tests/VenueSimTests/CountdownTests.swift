import Foundation
import Testing
@testable import VenueSim

/// Dead-man switches on the manual clock: each venue's countdown cancels exactly its documented scope when it
/// runs out, a refresh (from any key of the account) moves it, 0 disarms it, and the firing is seen by admin
/// reads alone — nobody needs to call a venue after the deadline.
@Suite struct CountdownTests {
    @Test func gateFuturesCoversTheSettleOrOneContract() async throws {
        let h = try await SimHarness.start { $0.accounts = SimHarness.accountsWithSecondKey() }
        try await h.seed("gate", "futures", ids: ["1"], symbol: "BTC_USDT")
        try await h.seed("gate", "futures", ids: ["2"], symbol: "ETH_USDT", filled: "0.5")
        try await h.seed("gate", "futures", ids: ["3"], symbol: "BTC_USD", settle: "btc")
        try await h.seed("gate", "spot", ids: ["4"], symbol: "BTC_USDT")
        try await h.seed("gate", "futures", ids: ["5"], symbol: "BTC_USDT", key: TestCredentials.otherAccountKey)
        let armed = try await h.gate(.POST, "/api/v4/futures/usdt/countdown_cancel_all", body: #"{"timeout":6}"#)
        #expect(armed.status == 200)
        #expect(armed.object["triggerTime"] as? Int == Int(h.nowMs + 6_000))
        let views = await h.sim.countdowns()
        #expect(views.count == 1)
        #expect(views.first?.owner == "uid:10001")
        #expect(views.first?.settle == "usdt")
        #expect(views.first?.symbol == nil)
        // A refresh from the account's other key moves the same timer.
        h.clock.advance(byMilliseconds: 4_000)
        _ = try await h.gate(.POST, "/api/v4/futures/usdt/countdown_cancel_all", body: #"{"timeout":6}"#, key: TestCredentials.secondKey)
        #expect(await h.sim.countdowns().count == 1)
        h.clock.advance(byMilliseconds: 5_999)
        #expect(await h.ids("gate", status: "open") == ["1", "2", "3", "4", "5"])
        h.clock.advance(byMilliseconds: 1)
        // Only an admin read after the deadline: every contract of the usdt settle, partially filled included.
        let after = try await h.send(.GET, "/_sim/orders?exchange=gate&status=cancelled")
        #expect(after.array.map { $0["id"] as? String } == ["1", "2"])
        #expect(after.array.allSatisfy { $0["cancelledBy"] as? String == "countdown" })
        #expect(after.array.first?["cancelledAtMs"] as? Int == Int(h.nowMs))
        #expect(try await h.send(.GET, "/_sim/countdowns").array.isEmpty)
        #expect(await h.ids("gate", status: "open") == ["3", "4", "5"])
        // One contract; then disarmed before it fires.
        try await h.seed("gate", "futures", ids: ["6", "7"], symbol: "BTC_USDT")
        try await h.seed("gate", "futures", ids: ["8"], symbol: "ETH_USDT")
        _ = try await h.gate(.POST, "/api/v4/futures/usdt/countdown_cancel_all", body: #"{"timeout":5,"contract":"BTC_USDT"}"#)
        h.clock.advance(byMilliseconds: 5_000)
        #expect(await h.ids("gate", status: "cancelled") == ["1", "2", "6", "7"])
        _ = try await h.gate(.POST, "/api/v4/futures/usdt/countdown_cancel_all", body: #"{"timeout":5}"#)
        let disarmed = try await h.gate(.POST, "/api/v4/futures/usdt/countdown_cancel_all", body: #"{"timeout":0}"#)
        #expect(disarmed.object["triggerTime"] as? Int == 0)
        h.clock.advance(byMilliseconds: 60_000)
        #expect(await h.status("gate", "8") == "open")
        let tooShort = try await h.gate(.POST, "/api/v4/futures/usdt/countdown_cancel_all", body: #"{"timeout":4}"#)
        #expect(tooShort.status == 400)
        #expect(tooShort.object["label"] as? String == "INVALID_PARAM_VALUE")
        try await h.stop()
    }

    @Test func gateSpotCoversEveryMarketAndAccount() async throws {
        let h = try await SimHarness.start()
        try await h.seed("gate", "spot", ids: ["1"], symbol: "BTC_USDT", account: "spot")
        try await h.seed("gate", "spot", ids: ["2"], symbol: "ETH_USDT", account: "margin")
        try await h.seed("gate", "spot", ids: ["3"], symbol: "BTC_USDT", account: "unified")
        try await h.seed("gate", "futures", ids: ["4"], symbol: "BTC_USDT")
        _ = try await h.gate(.POST, "/api/v4/spot/countdown_cancel_all", body: #"{"timeout":5,"currency_pair":"BTC_USDT"}"#)
        h.clock.advance(byMilliseconds: 5_000)
        #expect(await h.ids("gate", status: "cancelled") == ["1", "3"])
        _ = try await h.gate(.POST, "/api/v4/spot/countdown_cancel_all", body: #"{"timeout":5}"#)
        h.clock.advance(byMilliseconds: 5_000)
        #expect(await h.ids("gate", status: "open") == ["4"])
        try await h.stop()
        // Configured to the narrow reading: the spot account only.
        let narrow = try await SimHarness.start { $0.compatibility.gateSpotCountdownCoversAllAccounts = false }
        try await narrow.seed("gate", "spot", ids: ["1"], symbol: "BTC_USDT", account: "spot")
        try await narrow.seed("gate", "spot", ids: ["2"], symbol: "BTC_USDT", account: "margin")
        _ = try await narrow.gate(.POST, "/api/v4/spot/countdown_cancel_all", body: #"{"timeout":5}"#)
        narrow.clock.advance(byMilliseconds: 5_000)
        #expect(await narrow.ids("gate", status: "open") == ["2"])
        try await narrow.stop()
    }

    @Test func htxCancelsAtMost500OfTheAccount() async throws {
        let h = try await SimHarness.start()
        try await h.seed("htx", "spot", ids: (1...400).map { String(1_000 + $0) }, symbol: "btcusdt")
        try await h.seed("htx", "spot", ids: (1...200).map { String(2_000 + $0) }, symbol: "ethusdt")
        let armed = try await h.htx(.POST, "/v2/algo-orders/cancel-all-after", body: #"{"timeout":10}"#)
        #expect(armed.object["code"] as? Int == 200)
        let data = armed.object["data"] as? [String: Any]
        #expect(data?["currentTime"] as? Int == Int(h.nowMs))
        #expect(data?["triggerTime"] as? Int == Int(h.nowMs + 10_000))
        h.clock.advance(byMilliseconds: 10_000)
        let cancelled = await h.ids("htx", status: "cancelled")
        #expect(cancelled.count == 500)
        #expect(cancelled.first == "1001")  // oldest first, across symbols
        #expect(await h.ids("htx", status: "open") == (101...200).map { String(2_000 + $0) })
        let tooShort = try await h.htx(.POST, "/v2/algo-orders/cancel-all-after", body: #"{"timeout":3}"#)
        #expect(tooShort.object["code"] as? Int == 2002)
        try await h.stop()
    }

    @Test func binanceIsPerSymbolAndWeighsTen() async throws {
        let h = try await SimHarness.start()
        try await h.seed("binance", "futures", ids: ["1", "2"], symbol: "BTCUSD_PERP")
        try await h.seed("binance", "futures", ids: ["3"], symbol: "ETHUSD_PERP")
        let armed = try await h.binance(.POST, "/dapi/v1/countdownCancelAll", params: "symbol=BTCUSD_PERP&countdownTime=6000")
        #expect(armed.object["symbol"] as? String == "BTCUSD_PERP")
        #expect(armed.object["countdownTime"] as? String == "6000")
        #expect(armed.header("X-MBX-USED-WEIGHT-1M") == "10")
        _ = try await h.binance(.POST, "/dapi/v1/countdownCancelAll", params: "symbol=ETHUSD_PERP&countdownTime=6000")
        _ = try await h.binance(.POST, "/dapi/v1/countdownCancelAll", params: "symbol=ETHUSD_PERP&countdownTime=0")
        h.clock.advance(byMilliseconds: 6_000)
        #expect(await h.ids("binance", status: "cancelled") == ["1", "2"])
        #expect(await h.ids("binance", status: "open") == ["3"])
        #expect(try await h.binance(.POST, "/dapi/v1/countdownCancelAll", params: "countdownTime=6000").object["code"] as? Int == -1102)
        try await h.stop()
    }
}

/// The cancel-all endpoints, each with its documented scope and paging.
@Suite struct CancelAllTests {
    @Test func gateFuturesWithoutContractTakesTheSettle() async throws {
        let h = try await SimHarness.start()
        try await h.seed("gate", "futures", ids: ["1"], symbol: "BTC_USDT")
        try await h.seed("gate", "futures", ids: ["2"], symbol: "ETH_USDT", side: "sell")
        try await h.seed("gate", "futures", ids: ["3"], symbol: "BTC_USD", settle: "btc")
        let asks = try await h.gate(.DELETE, "/api/v4/futures/usdt/orders", query: "side=ask")
        #expect(asks.array.map { $0["id"] as? Int } == [2])
        let all = try await h.gate(.DELETE, "/api/v4/futures/usdt/orders")
        #expect(all.array.map { $0["id"] as? Int } == [1])
        #expect(await h.ids("gate", status: "open") == ["3"])
        try await h.stop()
        let strict = try await SimHarness.start { $0.compatibility.gateFuturesCancelAllRequiresContract = true }
        let refused = try await strict.gate(.DELETE, "/api/v4/futures/usdt/orders")
        #expect(refused.status == 400)
        #expect(refused.object["label"] as? String == "MISSING_REQUIRED_PARAM")
        #expect(try await strict.gate(.DELETE, "/api/v4/futures/usdt/orders", query: "contract=BTC_USDT").status == 200)
        try await strict.stop()
    }

    @Test func gateSpotWithoutPairTakesEveryPair() async throws {
        let h = try await SimHarness.start()
        try await h.seed("gate", "spot", ids: ["1"], symbol: "BTC_USDT")
        try await h.seed("gate", "spot", ids: ["2"], symbol: "ETH_USDT", side: "sell")
        let sells = try await h.gate(.DELETE, "/api/v4/spot/orders", query: "account=spot&side=sell")
        #expect(sells.array.map { $0["id"] as? String } == ["2"])
        let all = try await h.gate(.DELETE, "/api/v4/spot/orders", query: "account=spot")
        #expect(all.array.map { $0["id"] as? String } == ["1"])
        try await h.stop()
    }

    @Test func bitgetCancelAllTakesTheProductType() async throws {
        let h = try await SimHarness.start()
        try await h.seed("bitget", "futures", ids: ["1"], symbol: "BTCUSDT")
        try await h.seed("bitget", "futures", ids: ["2"], symbol: "BTCPERP", productType: "USDC-FUTURES")
        try await h.seed("bitget", "futures", ids: ["3"], symbol: "BTCUSD", productType: "COIN-FUTURES")
        try await h.seed("bitget", "futures", ids: ["4"], symbol: "ETHUSD", productType: "COIN-FUTURES", filled: "0.5")
        // marginCoin BTC names one of COIN-FUTURES' margin coins; the whole product type goes (UNVERIFIED default).
        let all = try await h.bitget(.POST, "/api/v2/mix/order/cancel-all-orders", body: #"{"productType":"COIN-FUTURES","marginCoin":"BTC"}"#)
        #expect(((all.object["data"] as? [String: Any])?["successList"] as? [[String: Any]])?.map { $0["orderId"] as? String } == ["3", "4"])
        #expect(await h.ids("bitget", status: "open") == ["1", "2"])
        #expect(try await h.bitget(.POST, "/api/v2/mix/order/cancel-all-orders", body: #"{"marginCoin":"USDT"}"#).object["code"] as? String == "40019")
        try await h.stop()
        let narrow = try await SimHarness.start { $0.compatibility.bitgetCancelAllHonoursMarginCoin = true }
        try await narrow.seed("bitget", "futures", ids: ["3"], symbol: "BTCUSD", productType: "COIN-FUTURES")
        try await narrow.seed("bitget", "futures", ids: ["4"], symbol: "ETHUSD", productType: "COIN-FUTURES")
        _ = try await narrow.bitget(.POST, "/api/v2/mix/order/cancel-all-orders", body: #"{"productType":"COIN-FUTURES","marginCoin":"BTC"}"#)
        #expect(await narrow.ids("bitget", status: "open") == ["4"])
        try await narrow.stop()
    }

    @Test func htxLoopsUntilNextIdIsMinusOne() async throws {
        let h = try await SimHarness.start { $0.htxCancelDelayMs = 0 }
        try await h.seed("htx", "spot", ids: (1...250).map { String(5_000 + $0) }, symbol: "btcusdt")
        try await h.seed("htx", "spot", ids: ["9001"], symbol: "ethusdt")
        var rounds: [(Int, Int)] = []
        while rounds.count < 5 {
            let answer = try await h.htx(.POST, "/v1/order/orders/batchCancelOpenOrders", body: #"{"account-id":"100009","symbol":"btcusdt","size":100}"#)
            let data = answer.object["data"] as? [String: Any] ?? [:]
            let next = data["next-id"] as? Int ?? 0
            rounds.append((data["success-count"] as? Int ?? -1, next))
            if next == -1 { break }
        }
        #expect(rounds.map(\.0) == [100, 100, 50])
        #expect(rounds.map(\.1) == [5_101, 5_201, -1])
        #expect(await h.ids("htx", status: "open") == ["9001"])
        let tooBig = try await h.htx(.POST, "/v1/order/orders/batchCancelOpenOrders", body: #"{"size":101}"#)
        #expect(tooBig.object["err-code"] as? String == "invalid-parameter")
        let tooManySymbols = (1...11).map { "s\($0)usdt" }.joined(separator: ",")
        #expect(try await h.htx(.POST, "/v1/order/orders/batchCancelOpenOrders", body: #"{"symbol":"\#(tooManySymbols)"}"#).object["err-code"] as? String == "invalid-parameter")
        let wrongAccount = try await h.htx(.POST, "/v1/order/orders/batchCancelOpenOrders", body: #"{"account-id":"1"}"#)
        #expect(wrongAccount.object["status"] as? String == "error")
        try await h.stop()
    }

    @Test func binanceCancelAllIsPerSymbol() async throws {
        let h = try await SimHarness.start()
        try await h.seed("binance", "futures", ids: ["1"], symbol: "BTCUSD_PERP")
        try await h.seed("binance", "futures", ids: ["2"], symbol: "ETHUSD_PERP")
        #expect(try await h.binance(.DELETE, "/dapi/v1/allOpenOrders", params: "").object["code"] as? Int == -1102)
        let done = try await h.binance(.DELETE, "/dapi/v1/allOpenOrders", params: "symbol=ETHUSD_PERP")
        #expect(done.object["msg"] as? String == "The operation of cancel all open order is done.")
        #expect(done.header("X-MBX-USED-WEIGHT-1M") == "2")
        #expect(await h.ids("binance", status: "open") == ["1"])
        try await h.stop()
    }
}
