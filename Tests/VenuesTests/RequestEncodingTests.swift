import KillSwitchCore
import Testing
@testable import Venues

/// Each venue's request shape, byte for byte, for fixed inputs.
@Suite("Request encoding")
struct RequestEncodingTests {
    @Test func gateFuturesHeadersInOrder() throws {
        let request = try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("1")], kind: .gateFutures)), .gateFutures)
        #expect(request.headers.map(\.name) == ["KEY", "Timestamp", "SIGN", "Content-Type", "Accept"])
        #expect(request.header("KEY") == "test-api-key")
        #expect(request.header("Content-Type") == "application/json")
        #expect(request.header("SIGN")?.count == 128)
    }

    @Test func gateFuturesSettleIsLowerCase() throws {
        let request = try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("1")], kind: .gateFutures)), .gateFutures, market: VenueMarket(settle: "BTC"))
        #expect(request.url == "https://api.gateio.ws/api/v4/futures/btc/batch_cancel_orders")
    }

    @Test func gateFuturesRequiresSettle() {
        #expect(throws: VenueRequestError.missingMarketParameter("settle")) {
            try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("1")], kind: .gateFutures)), .gateFutures, market: VenueMarket())
        }
    }

    @Test func gateSpotItemsCarryAccountWhenConfigured() throws {
        let targets = [Fixtures.target("12345", symbol: "BTC_USDT"), Fixtures.target("t-abc", symbol: "ETH_USDT", client: true)]
        let request = try Fixtures.build(.batchCancel(Fixtures.batch(targets, kind: .gateSpot)), .gateSpot, market: VenueMarket(gateAccount: "unified"))
        #expect(request.body == #"[{"currency_pair":"BTC_USDT","id":"12345","account":"unified"},{"currency_pair":"ETH_USDT","id":"t-abc","account":"unified"}]"#)
    }

    @Test func gateSpotCancelAllIsNarrow() throws {
        let request = try Fixtures.build(.cancelAll(symbol: "BTC_USDT"), .gateSpot, market: VenueMarket(gateAccount: "spot"))
        #expect(request.method == "DELETE")
        #expect(request.url == "https://api.gateio.ws/api/v4/spot/orders?account=spot&currency_pair=BTC_USDT")
        #expect(request.body == nil)
        let sign = GateSigner.signature(secret: "test-api-secret", method: "DELETE", path: "/api/v4/spot/orders",
                                        rawQuery: "account=spot&currency_pair=BTC_USDT", body: "", timestamp: "1700000000")
        #expect(request.header("SIGN") == sign)
    }

    @Test func gateListingsAndCountdown() throws {
        #expect(try Fixtures.build(.openOrders(symbol: "BTC_USDT", cursor: nil), .gateFutures).url
            == "https://api.gateio.ws/api/v4/futures/usdt/orders?contract=BTC_USDT&limit=100&status=open")
        #expect(try Fixtures.build(.openOrders(symbol: nil, cursor: "200"), .gateFutures).url
            == "https://api.gateio.ws/api/v4/futures/usdt/orders?limit=100&offset=200&status=open")
        #expect(try Fixtures.build(.openOrders(symbol: nil, cursor: nil), .gateSpot, market: VenueMarket(gateAccount: "unified")).url
            == "https://api.gateio.ws/api/v4/spot/open_orders?account=unified&limit=100&page=1")
        #expect(try Fixtures.build(.openOrders(symbol: "BTC_USDT", cursor: "2"), .gateSpot).url
            == "https://api.gateio.ws/api/v4/spot/orders?currency_pair=BTC_USDT&limit=100&page=2&status=open")
        let futures = try Fixtures.build(.countdownCancelAll(symbol: "BTC_USDT", timeoutSeconds: 30), .gateFutures)
        #expect(futures.url == "https://api.gateio.ws/api/v4/futures/usdt/countdown_cancel_all")
        #expect(futures.body == #"{"timeout":30,"contract":"BTC_USDT"}"#)
        let spot = try Fixtures.build(.countdownCancelAll(symbol: nil, timeoutSeconds: 0), .gateSpot)
        #expect(spot.url == "https://api.gateio.ws/api/v4/spot/countdown_cancel_all")
        #expect(spot.body == #"{"timeout":0}"#)
        let time = try Fixtures.build(.serverTime, .gateSpot)
        #expect(time.url == "https://api.gateio.ws/api/v4/spot/time")
        #expect(time.header("SIGN") == nil)
    }

    @Test func htxClientIdsAndCancelAll() throws {
        let byClient = try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("c1", client: true), Fixtures.target("c2", client: true)], kind: .htxSpot)), .htxSpot)
        #expect(byClient.body == #"{"client-order-ids":["c1","c2"]}"#)
        #expect(byClient.headers == [HTTPField("Host", "api.huobi.pro"), HTTPField("Content-Type", "application/json")])
        let all = try Fixtures.build(.cancelAll(symbol: "btcusdt"), .htxSpot)
        #expect(all.url.hasPrefix("https://api.huobi.pro/v1/order/orders/batchCancelOpenOrders?AccessKeyId=test-api-key&"))
        #expect(all.body == #"{"account-id":"100009","symbol":"btcusdt"}"#)
        let countdown = try Fixtures.build(.countdownCancelAll(symbol: nil, timeoutSeconds: 30), .htxSpot)
        #expect(countdown.url.hasPrefix("https://api.huobi.pro/v2/algo-orders/cancel-all-after?"))
        #expect(countdown.body == #"{"timeout":30}"#)
        #expect(try Fixtures.build(.serverTime, .htxSpot).url == "https://api.huobi.pro/v1/common/timestamp")
    }

    @Test func htxRefusesWideningCalls() {
        #expect(throws: VenueRequestError.missingMarketParameter("account_id")) {
            try Fixtures.build(.cancelAll(symbol: "btcusdt"), .htxSpot, market: VenueMarket())
        }
        #expect(throws: VenueRequestError.self) {
            try Fixtures.build(.countdownCancelAll(symbol: "btcusdt", timeoutSeconds: 30), .htxSpot)
        }
        #expect(throws: VenueRequestError.self) {
            try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("1"), Fixtures.target("c", client: true)], kind: .htxSpot)), .htxSpot)
        }
    }

    @Test func bitgetHeadersAndCancelAll() throws {
        let request = try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("1", symbol: "BTCUSDT")], kind: .bitgetMix)), .bitgetMix)
        #expect(request.headers.map(\.name) == ["ACCESS-KEY", "ACCESS-SIGN", "ACCESS-TIMESTAMP", "ACCESS-PASSPHRASE", "Content-Type", "locale"])
        #expect(request.header("ACCESS-TIMESTAMP") == "1700000000000")
        #expect(request.header("ACCESS-PASSPHRASE") == "test-passphrase")
        let all = try Fixtures.build(.cancelAll(symbol: "BTCUSDT"), .bitgetMix)
        #expect(all.url == "https://api.bitget.com/api/v2/mix/order/batch-cancel-orders")
        #expect(all.body == #"{"symbol":"BTCUSDT","productType":"USDT-FUTURES","marginCoin":"USDT"}"#)
        let noCoin = try Fixtures.build(.cancelAll(symbol: "BTCUSDT"), .bitgetMix, market: VenueMarket(productType: "COIN-FUTURES"))
        #expect(noCoin.body == #"{"symbol":"BTCUSDT","productType":"COIN-FUTURES"}"#)
        #expect(try Fixtures.build(.openOrders(symbol: nil, cursor: "999"), .bitgetMix).url
            == "https://api.bitget.com/api/v2/mix/order/orders-pending?idLessThan=999&limit=100&productType=USDT-FUTURES")
        #expect(throws: VenueRequestError.self) { try Fixtures.build(.countdownCancelAll(symbol: nil, timeoutSeconds: 10), .bitgetMix) }
        #expect(try Fixtures.build(.serverTime, .bitgetMix).url == "https://api.bitget.com/api/v2/public/time")
    }

    @Test func bitgetRefusesMixedSymbols() {
        let targets = [Fixtures.target("1", symbol: "BTCUSDT"), Fixtures.target("2", symbol: "ETHUSDT")]
        #expect(throws: VenueRequestError.mixedSymbols) {
            try Fixtures.build(.batchCancel(CancelBatch(venueId: "b", symbol: "BTCUSDT", targets: targets, byClientId: false)), .bitgetMix)
        }
    }

    @Test func binanceOtherCalls() throws {
        let all = try Fixtures.build(.cancelAll(symbol: "BTCUSD_PERP"), .binanceCoinM)
        let total = "symbol=BTCUSD_PERP&recvWindow=5000&timestamp=1700000000000"
        #expect(all.method == "DELETE")
        #expect(all.url == "https://dapi.binance.com/dapi/v1/allOpenOrders?\(total)&signature=\(BinanceSigner.signature(secret: "test-api-secret", totalParams: total))")
        let countdown = try Fixtures.build(.countdownCancelAll(symbol: "BTCUSD_PERP", timeoutSeconds: 30), .binanceCoinM)
        #expect(countdown.method == "POST")
        #expect(countdown.url.hasPrefix("https://dapi.binance.com/dapi/v1/countdownCancelAll?symbol=BTCUSD_PERP&countdownTime=30000&recvWindow=5000&timestamp=1700000000000&signature="))
        #expect(countdown.body == nil)
        #expect(try Fixtures.build(.openOrders(symbol: nil, cursor: nil), .binanceCoinM).url.hasPrefix("https://dapi.binance.com/dapi/v1/openOrders?recvWindow=5000&timestamp="))
        #expect(try Fixtures.build(.serverTime, .binanceCoinM).url == "https://dapi.binance.com/dapi/v1/time")
    }

    @Test func binanceRecvWindowIsConfigurable() throws {
        let request = try VenueRequests.build(.cancelAll(symbol: "BTCUSD_PERP"), descriptor: Fixtures.descriptor(.binanceCoinM), credentials: Fixtures.credentials,
                                              timestampMilliseconds: Fixtures.timestamp, options: VenueRequestOptions(binanceRecvWindowMilliseconds: 10000))
        #expect(request.url.contains("&recvWindow=10000&timestamp=1700000000000&signature="))
    }

    @Test func binanceRejectsNonNumericOrderIdsAndMixedIdTypes() {
        #expect(throws: VenueRequestError.invalidOrderId("abc")) {
            try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("abc")], kind: .binanceCoinM)), .binanceCoinM)
        }
        #expect(throws: VenueRequestError.self) {
            try Fixtures.build(.batchCancel(CancelBatch(venueId: "b", symbol: "BTCUSD_PERP", targets: [Fixtures.target("1"), Fixtures.target("c", client: true)], byClientId: false)), .binanceCoinM)
        }
    }

    @Test func batchLimitsAreEnforced() {
        for kind in VenueKind.allCases {
            let targets = (0...kind.batchLimit).map { Fixtures.target(String($0 + 1), symbol: "BTCUSD_PERP") }
            #expect(throws: VenueRequestError.batchTooLarge(count: kind.batchLimit + 1, limit: kind.batchLimit)) {
                try Fixtures.build(.batchCancel(Fixtures.batch(targets, kind: kind)), kind)
            }
            #expect(throws: VenueRequestError.emptyBatch) {
                try Fixtures.build(.batchCancel(Fixtures.batch([], kind: kind)), kind)
            }
        }
    }

    @Test func jsonStringsAreEscaped() {
        #expect(JSONText.string("a\"b\\c\n\u{01}/") == #""a\"b\\c\n\u0001/""#)
        // Nothing to escape (the common case, copied whole): unchanged, non-ASCII included; one escape anywhere
        // takes the careful path.
        #expect(JSONText.string("BTC_USDT t-hedge é 😀") == "\"BTC_USDT t-hedge é 😀\"")
        #expect(JSONText.string("") == "\"\"")
        #expect(JSONText.string("é\u{1f}") == #""é\u001f""#)
    }
}
