import Foundation
import Testing
@testable import VenueSim

@Suite struct BitgetTests {
    private func data(_ answer: HTTPAnswer) -> [String: Any] { answer.object["data"] as? [String: Any] ?? [:] }

    @Test func batchCancelPendingListAndCancelAll() async throws {
        let h = try await SimHarness.start()
        try await h.seed("bitget", "futures", ids: ["1", "2", "3"], symbol: "BTCUSDT", clientIds: ["a", "b", nil])
        try await h.seed("bitget", "futures", ids: ["4"], symbol: "ETHUSDT")
        let pending = try await h.bitget(.GET, "/api/v2/mix/order/orders-pending", query: "productType=USDT-FUTURES&symbol=BTCUSDT")
        #expect(pending.status == 200)
        #expect((data(pending)["entrustedList"] as? [[String: Any]])?.count == 3)
        // ccxt's shape; lower-case productType as in the doc example.
        let cancel = try await h.bitget(.POST, "/api/v2/mix/order/batch-cancel-orders", body: #"{"symbol":"BTCUSDT","orderIdList":[{"orderId":"1"},{"clientOid":"b"},{"orderId":"77"}],"productType":"usdt-futures"}"#)
        #expect(cancel.object["code"] as? String == "00000")
        #expect((data(cancel)["successList"] as? [[String: Any]])?.map { $0["orderId"] as? String } == ["1", "2"])
        #expect((data(cancel)["failureList"] as? [[String: Any]])?.first?["errorCode"] as? String == "43001")
        // No orderIdList: cancel by product type and symbol.
        let bySymbol = try await h.bitget(.POST, "/api/v2/mix/order/batch-cancel-orders", body: #"{"symbol":"BTCUSDT","productType":"USDT-FUTURES"}"#)
        #expect((data(bySymbol)["successList"] as? [[String: Any]])?.map { $0["orderId"] as? String } == ["3"])
        let all = try await h.bitget(.POST, "/api/v2/mix/order/cancel-all-orders", body: #"{"productType":"USDT-FUTURES","marginCoin":"USDT"}"#)
        #expect((data(all)["successList"] as? [[String: Any]])?.map { $0["orderId"] as? String } == ["4"])
        let empty = try await h.bitget(.GET, "/api/v2/mix/order/orders-pending", query: "productType=USDT-FUTURES")
        #expect(data(empty)["entrustedList"] is NSNull)
        let time = try await h.send(.GET, "/api/v2/public/time")
        #expect((time.object["data"] as? [String: Any])?["serverTime"] as? String == String(TestCredentials.vectorTimeMs))
        try await h.stop()
    }

    @Test func ordersPendingPagesNewestFirstByIdLessThan() async throws {
        // 150 open orders: a page of 100, then the 50 older than its endId; none twice, none missed.
        let h = try await SimHarness.start()
        try await h.seed("bitget", "futures", ids: (1...150).map(String.init), symbol: "BTCUSDT")
        let path = "/api/v2/mix/order/orders-pending"
        let first = data(try await h.bitget(.GET, path, query: "productType=USDT-FUTURES&status=live&limit=100"))
        let firstIds = ((first["entrustedList"] as? [[String: Any]]) ?? []).compactMap { $0["orderId"] as? String }
        #expect(firstIds.first == "150" && firstIds.count == 100)
        let endId = try #require(first["endId"] as? String)
        #expect(endId == "51")
        let second = data(try await h.bitget(.GET, path, query: "idLessThan=\(endId)&limit=100&productType=USDT-FUTURES&status=live"))
        let secondIds = ((second["entrustedList"] as? [[String: Any]]) ?? []).compactMap { $0["orderId"] as? String }
        #expect(secondIds == (1...50).reversed().map(String.init))
        try await h.stop()
    }

    @Test func authenticationAndInputErrors() async throws {
        let h = try await SimHarness.start()
        let path = "/api/v2/mix/order/batch-cancel-orders"
        let body = #"{"symbol":"BTCUSDT","productType":"USDT-FUTURES","orderIdList":[{"orderId":"1"}]}"#
        var headers = BitgetSigner.headers(method: "POST", path: path, body: body, timestampMs: h.nowMs)
        headers[1].1 = "AAAA" + headers[1].1.dropFirst(4)
        let badSignature = try await h.send(.POST, path, headers: headers, body: body)
        #expect(badSignature.status == 400)
        #expect(badSignature.object["code"] as? String == "40009")
        let expired = try await h.bitget(.POST, path, body: body, timestampMs: h.nowMs - 30_001)
        #expect(expired.object["code"] as? String == "40008")
        let wrongPassphrase = try await h.send(.POST, path, headers: BitgetSigner.headers(method: "POST", path: path, body: body, timestampMs: h.nowMs, passphrase: "nope"), body: body)
        #expect(wrongPassphrase.object["code"] as? String == "40012")
        let unknownKey = try await h.send(.POST, path, headers: BitgetSigner.headers(method: "POST", path: path, body: body, timestampMs: h.nowMs, key: "nobody"), body: body)
        #expect(unknownKey.object["code"] as? String == "40006")
        let noProduct = try await h.bitget(.POST, path, body: #"{"symbol":"BTCUSDT"}"#)
        #expect(noProduct.object["code"] as? String == "40019")
        let noSymbol = try await h.bitget(.POST, path, body: #"{"productType":"USDT-FUTURES","orderIdList":[{"orderId":"1"}]}"#)
        #expect(noSymbol.object["code"] as? String == "40019")
        let tooMany = try await h.bitget(.POST, path, body: #"{"symbol":"BTCUSDT","productType":"USDT-FUTURES","orderIdList":[\#((1...51).map { #"{"orderId":"\#($0)"}"# }.joined(separator: ","))]}"#)
        #expect(tooMany.status == 400)
        let malformed = try await h.bitget(.POST, path, body: "[1,2")
        #expect(malformed.object["code"] as? String == "40017")
        try await h.stop()
    }
}
