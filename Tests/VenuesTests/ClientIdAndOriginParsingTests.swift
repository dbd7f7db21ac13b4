import KillSwitchCore
import Testing
@testable import Venues

/// What counts as a client id in each venue's listings and cancel answers (docs/venues.md §7): Gate only
/// `t-…` text, the rest of Gate's `text` is the order's origin; HTX, Bitget and Binance as given when non-empty.
@Suite("Client ids and origins in answers")
struct ClientIdAndOriginParsingTests {
    func adapter(_ kind: VenueKind) -> any VenueAdapter {
        try! VenueRequests.makeAdapter(descriptor: Fixtures.descriptor(kind), credentials: Fixtures.credentials, options: VenueRequestOptions(listingPageSize: 100))
    }

    func listed(_ kind: VenueKind, _ body: String, symbol: String? = nil) throws -> [VenueOpenOrder] {
        try adapter(kind).parseOpenOrders(VenueHTTPAnswer(status: 200, body: body), symbol: symbol, cursor: nil).get().orders
    }

    @Test func gateFuturesTextIsAClientIdOnlyWithItsTPrefix() throws {
        let texts = ["t-bot7-1", "web", "web", "api", "app", "liquidation", "auto_deleveraging", "insurance", "t-", ""]
        let items = texts.enumerated().map { #"{"id":\#($0.offset + 1),"contract":"BTC_USDT","text":"\#($0.element)","status":"open"}"# }
        let orders = try listed(.gateFutures, "[\(items.joined(separator: ","))]")
        #expect(orders.map(\.clientOrderId) == ["t-bot7-1", nil, nil, nil, nil, nil, nil, nil, nil, nil])
        #expect(orders.map(\.origin) == [nil, "web", "web", "api", "app", "liquidation", "auto_deleveraging", "insurance", "t-", nil])
    }

    @Test func gateSpotTextIsAClientIdOnlyWithItsTPrefix() throws {
        // The SDK's reserved spot values: 101–104 (apps), 3 (web), 2 (apiv2), apiv4.
        let body = #"[{"currency_pair":"BTC_USDT","total":4,"orders":[{"id":"1","text":"t-a","currency_pair":"BTC_USDT"},{"id":"2","text":"3","currency_pair":"BTC_USDT"},{"id":"3","text":"apiv4","currency_pair":"BTC_USDT"},{"id":"4","text":"101","currency_pair":"BTC_USDT"}]},{"currency_pair":"ETH_USDT","total":1,"orders":[{"id":"5","text":"web","currency_pair":"ETH_USDT"}]}]"#
        let orders = try listed(.gateSpot, body)
        #expect(orders.map(\.clientOrderId) == ["t-a", nil, nil, nil, nil])
        #expect(orders.map(\.origin) == [nil, "3", "apiv4", "101", "web"])
    }

    @Test func htxClientOrderIdOnlyWhenPresentAndNonEmptyAndSourceIsTheOrigin() throws {
        let body = #"{"status":"ok","data":[{"id":1,"symbol":"btcusdt","client-order-id":"c1","source":"spot-api","state":"submitted"},{"id":2,"symbol":"btcusdt","source":"web","state":"submitted"},{"id":3,"symbol":"btcusdt","client-order-id":"","source":"api","state":"submitted"}]}"#
        let orders = try listed(.htxSpot, body)
        #expect(orders.map(\.clientOrderId) == ["c1", nil, nil])
        #expect(orders.map(\.origin) == ["spot-api", "web", "api"])
    }

    @Test func bitgetClientOidAsGivenAndEnterPointSourceIsTheOrigin() throws {
        let body = #"{"code":"00000","msg":"success","data":{"entrustedList":[{"orderId":"11","clientOid":"x1","symbol":"BTCUSDT","enterPointSource":"API"},{"orderId":"12","clientOid":"","symbol":"BTCUSDT","enterPointSource":"WEB"}],"endId":"12"}}"#
        let orders = try listed(.bitgetMix, body)
        #expect(orders.map(\.clientOrderId) == ["x1", nil])
        #expect(orders.map(\.origin) == ["API", "WEB"])
    }

    @Test func binanceClientOrderIdAsGiven() throws {
        // Binance fills the field for orders placed without one (`web_…`): unique per account, so an id.
        let body = #"[{"orderId":1,"symbol":"BTCUSD_PERP","clientOrderId":"web_aB3xYz","status":"NEW"},{"orderId":2,"symbol":"BTCUSD_PERP","clientOrderId":"bot-1","status":"NEW"}]"#
        let orders = try listed(.binanceCoinM, body)
        #expect(orders.map(\.clientOrderId) == ["web_aB3xYz", "bot-1"])
        #expect(orders.map(\.origin) == [nil, nil])
    }

    @Test func aGateCancelAnswerNeverMatchesATargetByAnOriginLabel() {
        // A stale target whose client id is a label (a row from before the rule) must not take another order's
        // answer because both carry `web`: only the venue id or a `t-` id names an order.
        let targets = [CancelTarget(orderId: 1, symbol: "BTC_USDT", venueOrderId: nil, clientOrderId: "web"),
                       CancelTarget(orderId: 2, symbol: "BTC_USDT", venueOrderId: "22", clientOrderId: nil)]
        let answer = VenueHTTPAnswer(status: 200, body: #"[{"id":"22","text":"web","succeeded":true},{"id":"23","text":"web","succeeded":true}]"#)
        let verdict = adapter(.gateFutures).classifyBatch(answer, batch: Fixtures.batch(targets, kind: .gateFutures))
        #expect(verdict.outcomes.map(\.kind) == [.unknown, .cancelled])
    }
}
