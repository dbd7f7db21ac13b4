import Foundation
import Testing
@testable import VenueSim

/// The test signers reproduce docs/venues.md's golden vectors, and the simulator accepts those exact requests at
/// the vectors' time (2023-11-14T22:13:20Z).
@Suite struct GoldenVectorTests {
    @Test func testSignersReproduceTheGoldenVectors() {
        #expect(GateSigner.sign(method: "POST", path: "/api/v4/futures/usdt/batch_cancel_orders", body: #"["12345","67890"]"#, timestamp: "1700000000")
            == "506b913a5c3215f4aca60fe05b835545ed30ff894215e1be173c562fbce0ccd2eff8a7b241c988370085ccb06b23cdc4b9301b33003f7629290a351d69ee1bf2")
        #expect(GateSigner.sign(method: "POST", path: "/api/v4/spot/cancel_batch_orders", body: #"[{"currency_pair":"BTC_USDT","id":"12345"},{"currency_pair":"ETH_USDT","id":"67890"}]"#, timestamp: "1700000000")
            == "130627e5bab973f49355dcefa226a888b23e33f84debdb9e8fcf3e4b4191c67d989c5ac9fe387aafcdaefdc202ed462987101b84bdae064a0396bda093958949")
        #expect(GateSigner.sign(method: "DELETE", path: "/api/v4/futures/usdt/orders", query: "contract=BTC_USDT", timestamp: "1700000000")
            == "57f26f68a3e826be1381e3decd35208db4e163586ca2e41ba199978effcd0f5664bbfc2314717d7d5fcb6135fdb08805dc26c7a15acbfeb39eef0a8e872d13e1")
        // Gate's own documented vector.
        #expect(GateSigner.sign(secret: "secret", method: "GET", path: "/api/v4/futures/orders", query: "contract=BTC_USD&status=finished&limit=50", timestamp: "1541993715")
            == "55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6fb3faf24deff16790d726b66ac9f74526668b13bd01029199cc4fcc522418b8a")
        let htxAuth = "AccessKeyId=test-api-key&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2023-11-14T22%3A13%3A20"
        #expect(HTXSigner.canonical([("AccessKeyId", "test-api-key"), ("SignatureMethod", "HmacSHA256"), ("SignatureVersion", "2"), ("Timestamp", HTXSigner.timestamp(ms: TestCredentials.vectorTimeMs))]) == htxAuth)
        #expect(HTXSigner.signature(method: "POST", host: "api.huobi.pro", path: "/v1/order/orders/batchcancel", canonical: htxAuth) == "5b6ym9ANfLO6oJJNsRuIDrAjoQwJAzPgfLgaSy9XnB4=")
        #expect(HTXSigner.signature(method: "POST", host: "127.0.0.1:8089", path: "/v1/order/orders/batchcancel", canonical: htxAuth) == "Ka7VtmmWC1FQP06aXm9bwXLd+W84Ixjcwnkvr5BKQZ4=")
        #expect(HTXSigner.signature(method: "GET", host: "api.huobi.pro", path: "/v1/order/openOrders", canonical: htxAuth + "&account-id=100009&size=500&symbol=btcusdt") == "4IoJQE9Ew6zX/oU8n6WhLYbnKQ9uyt83nYWA4IVbfTc=")
        #expect(BitgetSigner.sign(timestamp: "1700000000000", method: "POST", path: "/api/v2/mix/order/batch-cancel-orders", body: Self.bitgetBody) == "LVNDu6dn30eEn0Jof8+DG4fdJWFyW45eEmAHdHY+Tt0=")
        #expect(BitgetSigner.sign(timestamp: "1700000000000", method: "GET", path: "/api/v2/mix/order/orders-pending", query: "productType=USDT-FUTURES&symbol=BTCUSDT") == "ufMPac9OEL6AsfG/4d+ywNIKrneU75cpmKdx9VBeV/I=")
        #expect(BinanceSigner.sign("symbol=BTCUSD_PERP&orderIdList=%5B12345%2C67890%5D&recvWindow=5000&timestamp=1700000000000") == "f4d049794f8a656e1537e3412296f29af9762168fd49b700bcb3565f24d1d656")
        #expect(BinanceSigner.sign("symbol=BTCUSD_PERP&origClientOrderIdList=%5B%22my_id_1%22%2C%22my_id_2%22%5D&recvWindow=5000&timestamp=1700000000000") == "86194b96ced4829c5dc1360aa37889d2e7fc0be0f63769932e91b3e2e6f4ff04")
        // Binance's own documented vector.
        #expect(BinanceSigner.sign(secret: "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j", "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559") == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")
    }

    static let bitgetBody = #"{"symbol":"BTCUSDT","productType":"USDT-FUTURES","marginCoin":"USDT","orderIdList":[{"orderId":"12345"},{"clientOid":"my-oid-1"}]}"#

    @Test func simulatorAcceptsTheGoldenGateRequests() async throws {
        let h = try await SimHarness.start()
        try await h.seed("gate", "futures", ids: ["12345"], symbol: "BTC_USDT")
        try await h.seed("gate", "spot", ids: ["67890"], symbol: "ETH_USDT")
        let futures = try await h.send(.POST, "/api/v4/futures/usdt/batch_cancel_orders", headers: [
            ("KEY", "test-api-key"), ("Timestamp", "1700000000"), ("Content-Type", "application/json"),
            ("SIGN", "506b913a5c3215f4aca60fe05b835545ed30ff894215e1be173c562fbce0ccd2eff8a7b241c988370085ccb06b23cdc4b9301b33003f7629290a351d69ee1bf2"),
        ], body: #"["12345","67890"]"#)
        #expect(futures.status == 200)
        #expect(futures.array.map { $0["succeeded"] as? Bool } == [true, false])
        #expect(futures.array.last?["message"] as? String == "ORDER_NOT_FOUND")
        let spot = try await h.send(.POST, "/api/v4/spot/cancel_batch_orders", headers: [
            ("KEY", "test-api-key"), ("Timestamp", "1700000000"),
            ("SIGN", "130627e5bab973f49355dcefa226a888b23e33f84debdb9e8fcf3e4b4191c67d989c5ac9fe387aafcdaefdc202ed462987101b84bdae064a0396bda093958949"),
        ], body: #"[{"currency_pair":"BTC_USDT","id":"12345"},{"currency_pair":"ETH_USDT","id":"67890"}]"#)
        #expect(spot.status == 200)
        #expect(spot.array.map { $0["succeeded"] as? Bool } == [false, true])
        #expect(spot.array.first?["label"] as? String == "ORDER_NOT_FOUND")
        let cancelAll = try await h.send(.DELETE, "/api/v4/futures/usdt/orders?contract=BTC_USDT", headers: [
            ("KEY", "test-api-key"), ("Timestamp", "1700000000"),
            ("SIGN", "57f26f68a3e826be1381e3decd35208db4e163586ca2e41ba199978effcd0f5664bbfc2314717d7d5fcb6135fdb08805dc26c7a15acbfeb39eef0a8e872d13e1"),
        ])
        #expect(cancelAll.status == 200)
        try await h.stop()
    }

    @Test func simulatorAcceptsTheGoldenHTXRequestAgainstTheHostHeaderReceived() async throws {
        let h = try await SimHarness.start()
        try await h.seed("htx", "spot", ids: ["12345", "67890"], symbol: "btcusdt")
        let query = "AccessKeyId=test-api-key&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2023-11-14T22%3A13%3A20&Signature=Ka7VtmmWC1FQP06aXm9bwXLd%2BW84Ixjcwnkvr5BKQZ4%3D"
        let answer = try await h.send(.POST, "/v1/order/orders/batchcancel?" + query, headers: [("Host", "127.0.0.1:8089"), ("Content-Type", "application/json")], body: #"{"order-ids":["12345","67890"]}"#)
        #expect(answer.status == 200)
        #expect(answer.object["status"] as? String == "ok")
        #expect(((answer.object["data"] as? [String: Any])?["success"] as? [String]) == ["12345", "67890"])
        // The api.huobi.pro vector signed for another host fails against this Host header.
        let wrongHost = query.replacingOccurrences(of: "Ka7VtmmWC1FQP06aXm9bwXLd%2BW84Ixjcwnkvr5BKQZ4%3D", with: "5b6ym9ANfLO6oJJNsRuIDrAjoQwJAzPgfLgaSy9XnB4%3D")
        let refused = try await h.send(.POST, "/v1/order/orders/batchcancel?" + wrongHost, headers: [("Host", "127.0.0.1:8089")], body: #"{"order-ids":["12345"]}"#)
        #expect(refused.object["err-code"] as? String == "api-signature-not-valid")
        // …and is accepted when that host is what the client sent.
        let asHuobi = try await h.send(.POST, "/v1/order/orders/batchcancel?" + wrongHost, headers: [("Host", "api.huobi.pro")], body: #"{"order-ids":["12345"]}"#)
        #expect(asHuobi.object["status"] as? String == "ok")
        let list = try await h.send(.GET, "/v1/order/openOrders?account-id=100009&symbol=btcusdt&size=500&" + "AccessKeyId=test-api-key&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2023-11-14T22%3A13%3A20&Signature=4IoJQE9Ew6zX%2FoU8n6WhLYbnKQ9uyt83nYWA4IVbfTc%3D", headers: [("Host", "api.huobi.pro")])
        #expect(list.object["status"] as? String == "ok")
        try await h.stop()
    }

    @Test func simulatorAcceptsTheGoldenBitgetAndBinanceRequests() async throws {
        let h = try await SimHarness.start()
        try await h.seed("bitget", "futures", ids: ["12345"], symbol: "BTCUSDT")
        try await h.seed("binance", "futures", ids: ["12345"], symbol: "BTCUSD_PERP")
        let bitget = try await h.send(.POST, "/api/v2/mix/order/batch-cancel-orders", headers: [
            ("ACCESS-KEY", "test-api-key"), ("ACCESS-SIGN", "LVNDu6dn30eEn0Jof8+DG4fdJWFyW45eEmAHdHY+Tt0="),
            ("ACCESS-TIMESTAMP", "1700000000000"), ("ACCESS-PASSPHRASE", "test-passphrase"), ("Content-Type", "application/json"),
        ], body: Self.bitgetBody)
        #expect(bitget.status == 200)
        let data = bitget.object["data"] as? [String: Any]
        #expect((data?["successList"] as? [[String: Any]])?.first?["orderId"] as? String == "12345")
        #expect((data?["failureList"] as? [[String: Any]])?.first?["errorCode"] as? String == "43001")
        let pending = try await h.send(.GET, "/api/v2/mix/order/orders-pending?productType=USDT-FUTURES&symbol=BTCUSDT", headers: [
            ("ACCESS-KEY", "test-api-key"), ("ACCESS-SIGN", "ufMPac9OEL6AsfG/4d+ywNIKrneU75cpmKdx9VBeV/I="),
            ("ACCESS-TIMESTAMP", "1700000000000"), ("ACCESS-PASSPHRASE", "test-passphrase"),
        ])
        #expect(pending.object["code"] as? String == "00000")
        let binance = try await h.send(.DELETE, "/dapi/v1/batchOrders?symbol=BTCUSD_PERP&orderIdList=%5B12345%2C67890%5D&recvWindow=5000&timestamp=1700000000000&signature=f4d049794f8a656e1537e3412296f29af9762168fd49b700bcb3565f24d1d656", headers: [("X-MBX-APIKEY", "test-api-key")])
        #expect(binance.status == 200)
        #expect(binance.array.first?["status"] as? String == "CANCELED")
        #expect(binance.array.last?["code"] as? Int == -2011)
        let byClientIds = try await h.send(.DELETE, "/dapi/v1/batchOrders?symbol=BTCUSD_PERP&origClientOrderIdList=%5B%22my_id_1%22%2C%22my_id_2%22%5D&recvWindow=5000&timestamp=1700000000000&signature=86194b96ced4829c5dc1360aa37889d2e7fc0be0f63769932e91b3e2e6f4ff04", headers: [("X-MBX-APIKEY", "test-api-key")])
        #expect(byClientIds.status == 200)
        #expect(byClientIds.array.count == 2)
        try await h.stop()
    }
}
