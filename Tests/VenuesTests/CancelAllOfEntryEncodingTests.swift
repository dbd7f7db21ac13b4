import Foundation
import Testing
import KillSwitchCore
@testable import Venues

/// The scope-aware kill's cancel-all of a whole entry, per venue kind, as docs/venues.md gives each endpoint:
/// never wider than the entry's venue account and market (Gate spot always with `account`), and refused where
/// the venue has none (Binance).
@Suite struct CancelAllOfEntryEncodingTests {
    @Test func gateFuturesCancelsEveryContractOfTheSettle() throws {
        let request = try Fixtures.build(.cancelAllOfEntry, .gateFutures)
        #expect(request.method == "DELETE")
        #expect(request.url == "https://api.gateio.ws/api/v4/futures/usdt/orders")
        #expect(request.body == nil)
    }

    @Test func gateSpotCancelsEveryPairOfTheConfiguredAccountOnly() throws {
        let request = try Fixtures.build(.cancelAllOfEntry, .gateSpot, market: VenueMarket(gateAccount: "spot"))
        #expect(request.method == "DELETE")
        #expect(request.url == "https://api.gateio.ws/api/v4/spot/orders?account=spot")
        let sign = GateSigner.signature(secret: "test-api-secret", method: "DELETE", path: "/api/v4/spot/orders", rawQuery: "account=spot", body: "", timestamp: "1700000000")
        #expect(request.header("SIGN") == sign)
        // Without `account` Gate would reach spot, margin and unified orders alike: refused, never sent wider.
        #expect(throws: VenueRequestError.self) { try Fixtures.build(.cancelAllOfEntry, .gateSpot, market: VenueMarket()) }
    }

    @Test func htxCancelsTheSpotAccountInRoundsOfAHundred() throws {
        let request = try Fixtures.build(.cancelAllOfEntry, .htxSpot)
        #expect(request.method == "POST")
        #expect(request.url.contains("/v1/order/orders/batchCancelOpenOrders?"))
        #expect(request.body == #"{"account-id":"100009","size":100}"#)
        #expect(throws: VenueRequestError.self) { try Fixtures.build(.cancelAllOfEntry, .htxSpot, market: VenueMarket()) }
    }

    @Test func bitgetCancelsTheProductType() throws {
        let request = try Fixtures.build(.cancelAllOfEntry, .bitgetMix)
        #expect(request.url == "https://api.bitget.com/api/v2/mix/order/cancel-all-orders")
        #expect(request.body == #"{"productType":"USDT-FUTURES","marginCoin":"USDT"}"#)
    }

    @Test func binanceHasNoCancelAllWithoutASymbol() {
        #expect(throws: VenueRequestError.self) { try Fixtures.build(.cancelAllOfEntry, .binanceCoinM) }
    }
}
