import Foundation
import Testing
@testable import VenueSim

@Suite struct BinanceTests {
    @Test func batchCancelOpenOrdersCancelAllAndCountdown() async throws {
        let h = try await SimHarness.start()
        try await h.seed("binance", "futures", ids: ["11", "12", "13"], symbol: "BTCUSD_PERP", clientIds: ["x1", nil, nil])
        try await h.seed("binance", "futures", ids: ["21", "22"], symbol: "ETHUSD_PERP")
        let open = try await h.binance(.GET, "/dapi/v1/openOrders", params: "symbol=BTCUSD_PERP")
        #expect(open.status == 200)
        #expect(open.array.map { $0["orderId"] as? Int } == [11, 12, 13])
        #expect(open.header("X-MBX-USED-WEIGHT-1M") == "1")
        // ccxt's shape: lower-case key, timestamp first, recvWindow 10000.
        let ccxt = "timestamp=\(h.nowMs)&symbol=BTCUSD_PERP&recvWindow=10000&orderidlist=%5B11%2C99%5D"
        let cancel = try await h.send(.DELETE, "/dapi/v1/batchOrders?" + BinanceSigner.signedQuery(ccxt), headers: [("X-MBX-APIKEY", "test-api-key")])
        #expect(cancel.status == 200)
        #expect(cancel.array.first?["status"] as? String == "CANCELED")
        #expect(cancel.array.first?["clientOrderId"] as? String == "x1")
        #expect(cancel.array.last?["code"] as? Int == -2011)
        #expect(cancel.array.last?["msg"] as? String == "Unknown order sent.")
        let all = try await h.binance(.DELETE, "/dapi/v1/allOpenOrders", params: "symbol=BTCUSD_PERP")
        #expect(all.object["code"] as? Int == 200)
        #expect(await h.sim.orders(exchange: "binance", market: nil, status: "open").map(\.id) == ["21", "22"])
        let countdown = try await h.binance(.POST, "/dapi/v1/countdownCancelAll", params: "symbol=ETHUSD_PERP&countdownTime=5000")
        #expect(countdown.object["countdownTime"] as? String == "5000")
        h.clock.advance(byMilliseconds: 4_999)
        #expect(await h.status("binance", "21") == "open")
        h.clock.advance(byMilliseconds: 1)
        #expect(await h.status("binance", "21") == "cancelled")
        let time = try await h.send(.GET, "/dapi/v1/time")
        #expect(time.object["serverTime"] as? Int == Int(h.nowMs))
        let info = try await h.send(.GET, "/dapi/v1/exchangeInfo")
        let limits = info.object["rateLimits"] as? [[String: Any]]
        #expect(limits?.first?["rateLimitType"] as? String == "REQUEST_WEIGHT")
        #expect(limits?.first?["limit"] as? Int == 2400)
        try await h.stop()
    }

    @Test func authenticationAndInputErrors() async throws {
        let h = try await SimHarness.start()
        let params = "symbol=BTCUSD_PERP&orderIdList=%5B1%5D&timestamp=\(h.nowMs)"
        let badSignature = try await h.send(.DELETE, "/dapi/v1/batchOrders?\(params)&signature=\(String(repeating: "0", count: 64))", headers: [("X-MBX-APIKEY", "test-api-key")])
        #expect(badSignature.status == 400)
        #expect(badSignature.object["code"] as? Int == -1022)
        let late = try await h.binance(.DELETE, "/dapi/v1/batchOrders", params: "symbol=BTCUSD_PERP&orderIdList=%5B1%5D", timestampMs: h.nowMs - 5_001)
        #expect(late.object["code"] as? Int == -1021)
        let ahead = try await h.binance(.DELETE, "/dapi/v1/batchOrders", params: "symbol=BTCUSD_PERP&orderIdList=%5B1%5D", timestampMs: h.nowMs + 1_000)
        #expect(ahead.object["code"] as? Int == -1021)
        let widerWindow = try await h.binance(.DELETE, "/dapi/v1/batchOrders", params: "symbol=BTCUSD_PERP&orderIdList=%5B1%5D&recvWindow=10000", timestampMs: h.nowMs - 9_000)
        #expect(widerWindow.status == 200)
        let unknownKey = try await h.send(.DELETE, "/dapi/v1/batchOrders?" + BinanceSigner.signedQuery(params), headers: [("X-MBX-APIKEY", "nobody")])
        #expect(unknownKey.status == 401)
        #expect(unknownKey.object["code"] as? Int == -2015)
        let both = try await h.binance(.DELETE, "/dapi/v1/batchOrders", params: "symbol=BTCUSD_PERP&orderIdList=%5B1%5D&origClientOrderIdList=%5B%22a%22%5D")
        #expect(both.object["code"] as? Int == -1128)
        let noSymbol = try await h.binance(.DELETE, "/dapi/v1/batchOrders", params: "orderIdList=%5B1%5D")
        #expect(noSymbol.object["code"] as? Int == -1102)
        let malformed = try await h.binance(.DELETE, "/dapi/v1/batchOrders", params: "symbol=BTCUSD_PERP&orderIdList=%5B1%2C")
        #expect(malformed.object["code"] as? Int == -1130)
        let tooMany = try await h.binance(.DELETE, "/dapi/v1/batchOrders", params: "symbol=BTCUSD_PERP&orderIdList=%5B\((1...11).map(String.init).joined(separator: "%2C"))%5D")
        #expect(tooMany.status == 400)
        let verdicts = await h.sim.requests(since: 0).map(\.verdict)
        #expect(verdicts.prefix(5) == ["bad-signature", "expired", "expired", "ok", "unknown-key"])
        try await h.stop()
    }
}
