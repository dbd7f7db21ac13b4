import KillSwitchCore
import Testing
@testable import Venues

/// Every worked vector in docs/venues.md, reproduced exactly.
@Suite("Signing vectors from docs/venues.md")
struct SigningVectorTests {
    // MARK: Gate (§1a)

    @Test func gatePublishedGETVector() {
        let sign = GateSigner.signature(secret: "secret", method: "GET", path: "/api/v4/futures/orders",
                                        rawQuery: "contract=BTC_USD&status=finished&limit=50", body: "", timestamp: "1541993715")
        #expect(sign == "55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6fb3faf24deff16790d726b66ac9f74526668b13bd01029199cc4fcc522418b8a")
    }

    @Test func gatePublishedPOSTVector() {
        let body = #"{"contract":"BTC_USD","type":"limit","size":100,"price":6800,"time_in_force":"gtc"}"#
        // docs/venues.md abbreviates this hash as `ad3c1692…5956cca`; the full digest ends in `…5d956cca`
        // (the note dropped a character). The SIGN below, which covers it, matches Gate's published value.
        #expect(HMACSigning.sha512Hex(body) == "ad3c169203dc3026558f01b4df307641fa1fa361f086b2306658886d5708767b1854797c68d9e62fef2f991645aa82673622ebf417e091d0bd22bafe5d956cca")
        let sign = GateSigner.signature(secret: "secret", method: "POST", path: "/api/v4/futures/orders", rawQuery: "", body: body, timestamp: "1541993715")
        #expect(sign == "eae42da914a590ddf727473aff25fc87d50b64783941061f47a3fdb92742541fc4c2c14017581b4199a1418d54471c269c03a38d788d802e2c306c37636389f0")
    }

    @Test func gateEmptyBodyHash() {
        #expect(HMACSigning.sha512Hex("").hasPrefix("cf83e1357eef"))
        #expect(HMACSigning.sha512Hex("").hasSuffix("927da3e"))
    }

    @Test func gateFuturesBatchCancelVector() throws {
        let request = try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("12345", symbol: "BTC_USDT"), Fixtures.target("67890", symbol: "ETH_USDT")], kind: .gateFutures)), .gateFutures)
        #expect(request.method == "POST")
        #expect(request.url == "https://api.gateio.ws/api/v4/futures/usdt/batch_cancel_orders")
        #expect(request.body == #"["12345","67890"]"#)
        #expect(HMACSigning.sha512Hex(request.body ?? "") == "bfb2fdf0625c1aa0d9c02d87c423c5f41a8c24d68840c3827ba63fce7e10111189ddcd7080950cb412718a722780529b1864a3c2cc357dd69ff2b2c7fd9ebd52")
        #expect(request.header("Timestamp") == "1700000000")
        #expect(request.header("SIGN") == "506b913a5c3215f4aca60fe05b835545ed30ff894215e1be173c562fbce0ccd2eff8a7b241c988370085ccb06b23cdc4b9301b33003f7629290a351d69ee1bf2")
    }

    @Test func gateSpotBatchCancelVector() throws {
        let request = try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("12345", symbol: "BTC_USDT"), Fixtures.target("67890", symbol: "ETH_USDT")], kind: .gateSpot)), .gateSpot)
        #expect(request.url == "https://api.gateio.ws/api/v4/spot/cancel_batch_orders")
        #expect(request.body == #"[{"currency_pair":"BTC_USDT","id":"12345"},{"currency_pair":"ETH_USDT","id":"67890"}]"#)
        #expect(HMACSigning.sha512Hex(request.body ?? "") == "2625f8bda81b0ea68e26afe4ee8c653e8900aec67f4221dc2eaff368340b7281bdded2b1e9a274a9e10a83560a7945ce9f3745e0f03370e544609254907e2b89")
        #expect(request.header("SIGN") == "130627e5bab973f49355dcefa226a888b23e33f84debdb9e8fcf3e4b4191c67d989c5ac9fe387aafcdaefdc202ed462987101b84bdae064a0396bda093958949")
    }

    @Test func gateFuturesCancelAllVector() throws {
        let request = try Fixtures.build(.cancelAll(symbol: "BTC_USDT"), .gateFutures)
        #expect(request.method == "DELETE")
        #expect(request.url == "https://api.gateio.ws/api/v4/futures/usdt/orders?contract=BTC_USDT")
        #expect(request.body == nil)
        #expect(GateSigner.stringToSign(method: "DELETE", path: "/api/v4/futures/usdt/orders", rawQuery: "contract=BTC_USDT", body: "", timestamp: "1700000000")
            == "DELETE\n/api/v4/futures/usdt/orders\ncontract=BTC_USDT\n\(HMACSigning.sha512Hex(""))\n1700000000")
        #expect(request.header("SIGN") == "57f26f68a3e826be1381e3decd35208db4e163586ca2e41ba199978effcd0f5664bbfc2314717d7d5fcb6135fdb08805dc26c7a15acbfeb39eef0a8e872d13e1")
    }

    @Test func gateBaseURLWithOrWithoutAPIRootSignsTheSame() throws {
        let call = VenueCall.cancelAll(symbol: "BTC_USDT")
        let a = try Fixtures.build(call, .gateFutures, baseURL: "https://api.gateio.ws")
        let b = try Fixtures.build(call, .gateFutures, baseURL: "https://api.gateio.ws/api/v4/")
        #expect(a == b)
    }

    // MARK: HTX (§2a)

    @Test func htxTimestampFormat() {
        #expect(HTXSigner.timestamp(milliseconds: Fixtures.timestamp) == "2023-11-14T22:13:20")
        #expect(HTXSigner.timestamp(milliseconds: 0) == "1970-01-01T00:00:00")
        #expect(HTXSigner.timestamp(milliseconds: 951_782_400_999) == "2000-02-29T00:00:00")
    }

    @Test func htxBatchCancelVector() throws {
        let request = try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("12345", symbol: "btcusdt"), Fixtures.target("67890", symbol: "ethusdt")], kind: .htxSpot)), .htxSpot)
        #expect(HTXSigner.stringToSign(method: "POST", host: "api.huobi.pro", path: "/v1/order/orders/batchcancel",
                                       canonicalQuery: "AccessKeyId=test-api-key&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2023-11-14T22%3A13%3A20")
            == "POST\napi.huobi.pro\n/v1/order/orders/batchcancel\nAccessKeyId=test-api-key&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2023-11-14T22%3A13%3A20")
        #expect(request.url == "https://api.huobi.pro/v1/order/orders/batchcancel?AccessKeyId=test-api-key&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2023-11-14T22%3A13%3A20&Signature=5b6ym9ANfLO6oJJNsRuIDrAjoQwJAzPgfLgaSy9XnB4%3D")
        #expect(request.body == #"{"order-ids":["12345","67890"]}"#)
        #expect(request.header("Host") == "api.huobi.pro")
    }

    @Test func htxOpenOrdersVector() throws {
        let sign = HTXSigner.signature(secret: "test-api-secret", method: "GET", host: "api.huobi.pro", path: "/v1/order/openOrders",
                                       canonicalQuery: "AccessKeyId=test-api-key&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2023-11-14T22%3A13%3A20&account-id=100009&size=500&symbol=btcusdt")
        #expect(sign == "4IoJQE9Ew6zX/oU8n6WhLYbnKQ9uyt83nYWA4IVbfTc=")
        // The builder produces the same canonical query (page size 500) and signature.
        let descriptor = Fixtures.descriptor(.htxSpot)
        let request = try VenueRequests.build(.openOrders(symbol: "btcusdt", cursor: nil), descriptor: descriptor, credentials: Fixtures.credentials,
                                              timestampMilliseconds: Fixtures.timestamp, options: VenueRequestOptions(listingPageSize: 500))
        #expect(request.url == "https://api.huobi.pro/v1/order/openOrders?AccessKeyId=test-api-key&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2023-11-14T22%3A13%3A20&account-id=100009&size=500&symbol=btcusdt&Signature=4IoJQE9Ew6zX%2FoU8n6WhLYbnKQ9uyt83nYWA4IVbfTc%3D")
    }

    @Test func htxBatchCancelVectorWithPort() throws {
        let request = try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("12345"), Fixtures.target("67890")], kind: .htxSpot)), .htxSpot, baseURL: "http://127.0.0.1:8089")
        #expect(HTXSigner.signature(secret: "test-api-secret", method: "POST", host: "127.0.0.1:8089", path: "/v1/order/orders/batchcancel",
                                    canonicalQuery: "AccessKeyId=test-api-key&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2023-11-14T22%3A13%3A20")
            == "Ka7VtmmWC1FQP06aXm9bwXLd+W84Ixjcwnkvr5BKQZ4=")
        #expect(request.header("Host") == "127.0.0.1:8089")
        #expect(request.url == "http://127.0.0.1:8089/v1/order/orders/batchcancel?AccessKeyId=test-api-key&SignatureMethod=HmacSHA256&SignatureVersion=2&Timestamp=2023-11-14T22%3A13%3A20&Signature=Ka7VtmmWC1FQP06aXm9bwXLd%2BW84Ixjcwnkvr5BKQZ4%3D")
    }

    @Test func htxHostHeaderOmitsDefaultPortAndLowercases() throws {
        #expect(try VenueBaseURL("https://API.Huobi.pro:443").hostHeader == "api.huobi.pro")
        #expect(try VenueBaseURL("http://127.0.0.1:80").hostHeader == "127.0.0.1")
        #expect(try VenueBaseURL("https://127.0.0.1:8089").hostHeader == "127.0.0.1:8089")
        let withDefault = try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("12345"), Fixtures.target("67890")], kind: .htxSpot)), .htxSpot, baseURL: "https://api.huobi.pro:443")
        #expect(withDefault.url.hasSuffix("Signature=5b6ym9ANfLO6oJJNsRuIDrAjoQwJAzPgfLgaSy9XnB4%3D"))
    }

    // MARK: Bitget (§3a)

    @Test func bitgetBatchCancelVector() throws {
        let targets = [Fixtures.target("12345", symbol: "BTCUSDT"), Fixtures.target("my-oid-1", symbol: "BTCUSDT", client: true)]
        let request = try Fixtures.build(.batchCancel(Fixtures.batch(targets, kind: .bitgetMix)), .bitgetMix)
        let body = #"{"symbol":"BTCUSDT","productType":"USDT-FUTURES","marginCoin":"USDT","orderIdList":[{"orderId":"12345"},{"clientOid":"my-oid-1"}]}"#
        #expect(request.url == "https://api.bitget.com/api/v2/mix/order/batch-cancel-orders")
        #expect(request.body == body)
        #expect(BitgetSigner.prehash(timestamp: "1700000000000", method: "POST", path: "/api/v2/mix/order/batch-cancel-orders", query: "", body: body)
            == "1700000000000POST/api/v2/mix/order/batch-cancel-orders" + body)
        #expect(request.header("ACCESS-SIGN") == "LVNDu6dn30eEn0Jof8+DG4fdJWFyW45eEmAHdHY+Tt0=")
    }

    @Test func bitgetOpenOrdersVector() throws {
        let request = try Fixtures.build(.openOrders(symbol: "BTCUSDT", cursor: nil), .bitgetMix)
        #expect(request.method == "GET")
        #expect(request.url == "https://api.bitget.com/api/v2/mix/order/orders-pending?productType=USDT-FUTURES&symbol=BTCUSDT")
        #expect(BitgetSigner.prehash(timestamp: "1700000000000", method: "GET", path: "/api/v2/mix/order/orders-pending", query: "productType=USDT-FUTURES&symbol=BTCUSDT", body: "")
            == "1700000000000GET/api/v2/mix/order/orders-pending?productType=USDT-FUTURES&symbol=BTCUSDT")
        #expect(request.header("ACCESS-SIGN") == "ufMPac9OEL6AsfG/4d+ywNIKrneU75cpmKdx9VBeV/I=")
    }

    // MARK: Binance (§4a)

    @Test func binanceSpotDocumentedVector() {
        let sig = BinanceSigner.signature(secret: "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j",
                                          totalParams: "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559")
        #expect(sig == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")
    }

    @Test func binanceUSDMDocumentedVector() {
        let sig = BinanceSigner.signature(secret: "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9",
                                          totalParams: "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943")
        #expect(sig == "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9")
    }

    @Test func binanceCOINMPageVectorCorrected() {
        let sig = BinanceSigner.signature(secret: "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9",
                                          totalParams: "symbol=BTCUSD_200925&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943")
        #expect(sig == "04c8b9fbd55285a38fd6a3fc40ba3a7d114f22564dab61611bf24f2d2efb890f")
    }

    @Test func binanceBatchCancelByOrderIdsVector() throws {
        let request = try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("12345"), Fixtures.target("67890")], kind: .binanceCoinM)), .binanceCoinM)
        let total = "symbol=BTCUSD_PERP&orderIdList=%5B12345%2C67890%5D&recvWindow=5000&timestamp=1700000000000"
        #expect(request.method == "DELETE")
        #expect(request.body == nil)
        #expect(request.url == "https://dapi.binance.com/dapi/v1/batchOrders?\(total)&signature=f4d049794f8a656e1537e3412296f29af9762168fd49b700bcb3565f24d1d656")
        #expect(request.headers == [HTTPField("X-MBX-APIKEY", "test-api-key")])
    }

    @Test func binanceBatchCancelByClientIdsVector() throws {
        let request = try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("my_id_1", client: true), Fixtures.target("my_id_2", client: true)], kind: .binanceCoinM)), .binanceCoinM)
        let total = "symbol=BTCUSD_PERP&origClientOrderIdList=%5B%22my_id_1%22%2C%22my_id_2%22%5D&recvWindow=5000&timestamp=1700000000000"
        #expect(request.url == "https://dapi.binance.com/dapi/v1/batchOrders?\(total)&signature=86194b96ced4829c5dc1360aa37889d2e7fc0be0f63769932e91b3e2e6f4ff04")
    }
}
