import KillSwitchCore
import Testing
@testable import Venues

/// Listings, paging cursors and server time, read from fixed answers.
@Suite("Listing and time answers")
struct ListingAndTimeParsingTests {
    func adapter(_ kind: VenueKind, pageSize: Int = 100) -> any VenueAdapter {
        try! VenueRequests.makeAdapter(descriptor: Fixtures.descriptor(kind), credentials: Fixtures.credentials, options: VenueRequestOptions(listingPageSize: pageSize))
    }

    @Test func gateSpotOpenOrdersAcrossPairs() throws {
        let body = #"[{"currency_pair":"BTC_USDT","total":2,"orders":[{"id":"1","text":"t-a","currency_pair":"BTC_USDT","status":"open"},{"id":"2","text":"apiv4","currency_pair":"BTC_USDT","status":"open"}]},{"currency_pair":"ETH_USDT","total":1,"orders":[{"id":"3","currency_pair":"ETH_USDT","status":"open"}]}]"#
        let page = try adapter(.gateSpot, pageSize: 2).parseOpenOrders(VenueHTTPAnswer(status: 200, body: body), symbol: nil, cursor: nil).get()
        #expect(page.orders.map(\.venueOrderId) == ["1", "2", "3"])
        #expect(page.orders.map(\.symbol) == ["BTC_USDT", "BTC_USDT", "ETH_USDT"])
        #expect(page.nextCursor == "2", "a full page for one pair asks for the next page")
    }

    @Test func htxOpenOrdersPagesByLastId() throws {
        let body = #"{"status":"ok","data":[{"id":359,"symbol":"btcusdt","client-order-id":"c1","state":"submitted"},{"id":358,"symbol":"ethusdt","client-order-id":"","state":"canceling"}]}"#
        let page = try adapter(.htxSpot, pageSize: 2).parseOpenOrders(VenueHTTPAnswer(status: 200, body: body), symbol: nil, cursor: nil).get()
        #expect(page.orders == [VenueOpenOrder(symbol: "btcusdt", venueOrderId: "359", clientOrderId: "c1"),
                                VenueOpenOrder(symbol: "ethusdt", venueOrderId: "358", clientOrderId: nil, isCancelling: true)])
        #expect(page.nextCursor == "358")
        let next = try Fixtures.build(.openOrders(symbol: nil, cursor: "358"), .htxSpot)
        #expect(next.url.contains("&direct=next&from=358&size=100&Signature="))
    }

    @Test func bitgetOpenOrdersPagesByEndId() throws {
        let body = #"{"code":"00000","msg":"success","data":{"entrustedList":[{"orderId":"11","clientOid":"x","symbol":"BTCUSDT","status":"live"}],"endId":"11"}}"#
        let page = try adapter(.bitgetMix, pageSize: 1).parseOpenOrders(VenueHTTPAnswer(status: 200, body: body), symbol: nil, cursor: nil).get()
        #expect(page.orders.map(\.venueOrderId) == ["11"])
        #expect(page.nextCursor == "11")
    }

    @Test func binanceOpenOrders() throws {
        let body = #"[{"orderId":283194212,"symbol":"BTCUSD_PERP","clientOrderId":"bot-1","status":"NEW"}]"#
        let page = try adapter(.binanceCoinM).parseOpenOrders(VenueHTTPAnswer(status: 200, body: body), symbol: nil, cursor: nil).get()
        #expect(page.orders == [VenueOpenOrder(symbol: "BTCUSD_PERP", venueOrderId: "283194212", clientOrderId: "bot-1")])
        #expect(page.nextCursor == nil)
    }

    @Test func listingErrorsAreClassified() {
        let result = adapter(.binanceCoinM).parseOpenOrders(VenueHTTPAnswer(status: 401, body: #"{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}"#), symbol: nil, cursor: nil)
        guard case .failure(let error) = result else { Issue.record("expected a failure"); return }
        #expect(error.kind == .rejected)
        #expect(error.venueCode == "-2015")
    }

    @Test func serverTimes() {
        #expect(adapter(.gateSpot).parseServerTime(VenueHTTPAnswer(status: 200, body: #"{"server_time":1700000000123}"#)) == 1_700_000_000_123)
        // Gate's gateway receive time in µs wins when present.
        #expect(adapter(.gateFutures).parseServerTime(VenueHTTPAnswer(status: 200, headers: [HTTPField("X-In-Time", "1700000000456789")], body: #"{"server_time":1700000000123}"#)) == 1_700_000_000_456)
        #expect(adapter(.htxSpot).parseServerTime(VenueHTTPAnswer(status: 200, body: #"{"status":"ok","data":1700000000000}"#)) == 1_700_000_000_000)
        #expect(adapter(.bitgetMix).parseServerTime(VenueHTTPAnswer(status: 200, body: #"{"code":"00000","msg":"success","data":{"serverTime":"1700000000001"}}"#)) == 1_700_000_000_001)
        #expect(adapter(.binanceCoinM).parseServerTime(VenueHTTPAnswer(status: 200, body: #"{"serverTime":1700000000002}"#)) == 1_700_000_000_002)
        #expect(adapter(.binanceCoinM).parseServerTime(VenueHTTPAnswer(status: 200, body: "<html>")) == nil)
    }

    @Test func cancelAllAnswers() {
        let gate = adapter(.gateSpot).classifySimple(VenueHTTPAnswer(status: 200, body: #"[{"id":"1","succeeded":true},{"id":"2","succeeded":false,"label":"ORDER_CLOSED"}]"#), call: .cancelAll(symbol: "BTC_USDT"))
        #expect(gate.classification.kind == .cancelled)
        let gateFail = adapter(.gateSpot).classifySimple(VenueHTTPAnswer(status: 200, body: #"[{"id":"2","succeeded":false,"label":"CANCEL_FAIL"}]"#), call: .cancelAll(symbol: "BTC_USDT"))
        #expect(gateFail.classification.kind == .retryable)
        let binance = adapter(.binanceCoinM).classifySimple(VenueHTTPAnswer(status: 200, body: #"{"code":200,"msg":"The operation of cancel all open order is done."}"#), call: .cancelAll(symbol: "BTCUSD_PERP"))
        #expect(binance.classification.kind == .cancelled)
        let htxCountdown = adapter(.htxSpot).classifySimple(VenueHTTPAnswer(status: 200, body: #"{"code":200,"message":"success","data":{"currentTime":1,"triggerTime":2}}"#), call: .countdownCancelAll(symbol: nil, timeoutSeconds: 30))
        #expect(htxCountdown.classification.kind == .cancelled)
        let bitget = adapter(.bitgetMix).classifySimple(VenueHTTPAnswer(status: 200, body: #"{"code":"00000","msg":"success","data":{"successList":[],"failureList":[]}}"#), call: .cancelAll(symbol: "BTCUSDT"))
        #expect(bitget.classification.kind == .cancelled)
        let broken = adapter(.bitgetMix).classifySimple(VenueHTTPAnswer(status: 200, body: "{"), call: .cancelAll(symbol: "BTCUSDT"))
        #expect(broken.classification.kind == .unknown)
    }

    /// The orders a cancel-all's answer names as cancelled: their outcome is the venue's word, recorded with the
    /// answer. Only what the answer says was cancelled — a failed item, a futures order that finished otherwise
    /// (filled first), an answer that lists nothing — is left to the listing after it.
    @Test func cancelAllAnswersNameTheOrdersTheyCancelled() {
        let spot = adapter(.gateSpot).classifySimple(VenueHTTPAnswer(status: 200, body: #"""
            [{"id":"11","succeeded":true},{"id":"12","succeeded":false,"label":"ORDER_NOT_FOUND"},{"id":"13","succeeded":true}]
            """#), call: .cancelAllOfEntry)
        #expect(spot.classification.kind == .cancelled && spot.named == ["11", "13"])
        let futures = adapter(.gateFutures).classifySimple(VenueHTTPAnswer(status: 200, body: #"""
            [{"id":21,"status":"finished","finish_as":"cancelled"},{"id":22,"status":"finished","finish_as":"filled"},{"id":23,"status":"finished","finish_as":"cancelled"}]
            """#), call: .cancelAllOfEntry)
        #expect(futures.classification.kind == .cancelled && futures.named == ["21", "23"])
        let bitget = adapter(.bitgetMix).classifySimple(VenueHTTPAnswer(status: 200, body: #"""
            {"code":"00000","msg":"success","data":{"successList":[{"orderId":"31","clientOid":"a"},{"orderId":"32","clientOid":"b"}],"failureList":[{"orderId":"33","errorCode":"22001","errorMsg":"no order"}]}}
            """#), call: .cancelAllOfEntry)
        #expect(bitget.classification.kind == .cancelled && bitget.named == ["31", "32"])
        let binance = adapter(.binanceCoinM).classifySimple(VenueHTTPAnswer(status: 200, body: #"{"code":200,"msg":"The operation of cancel all open order is done."}"#), call: .cancelAll(symbol: "BTCUSD_PERP"))
        #expect(binance.named.isEmpty)
        let refused = adapter(.gateSpot).classifySimple(VenueHTTPAnswer(status: 200, body: #"[{"id":"41","succeeded":true},{"id":"42","succeeded":false,"label":"CANCEL_FAIL"}]"#), call: .cancelAllOfEntry)
        #expect(refused.classification.kind == .retryable && refused.named.isEmpty, "a refused answer names nothing: its orders go by id")
    }
}
