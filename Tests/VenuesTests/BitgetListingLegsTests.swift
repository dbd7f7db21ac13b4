import AsyncHTTPClient
import Foundation
import KillSwitchCore
import Logging
import NIOConcurrencyHelpers
import Testing
@testable import Venues

/// Bitget's orders-pending is read in two legs — `status=live`, then `status=partially_filled` — each paged and
/// each page admitted by the rate limits, merged by order id. Other venues keep their one unfiltered read.
@Suite("Bitget listing legs", .serialized)
struct BitgetListingLegsTests {
    /// Counts every admission the client asks for, and admits it at once.
    final class CountingAdmission: RequestAdmission {
        let admitted = NIOLockedValueBox<[VenueOperation]>([])

        func admit(venueId: String, operation: VenueOperation) async throws -> RateLimitTicket {
            admitted.withLockedValue { $0.append(operation) }
            return .none
        }

        func venueSaid(_ signal: RateLimitSignal, venueId: String, operation: VenueOperation) {}
    }

    static func item(_ id: String, _ symbol: String = "BTCUSDT", status: String) -> String {
        #"{"orderId":"\#(id)","clientOid":"c-\#(id)","symbol":"\#(symbol)","status":"\#(status)","enterPointSource":"API"}"#
    }

    static func page(_ items: [String], endId: String?) -> StubVenueServer.Response {
        .init(status: 200, body: #"{"code":"00000","msg":"success","requestTime":1700000000000,"data":{"entrustedList":[\#(items.joined(separator: ","))],"endId":\#(endId.map { "\"\($0)\"" } ?? "null")}}"#)
    }

    func client(_ server: StubVenueServer, pageSize: Int = 100, admission: CountingAdmission) throws -> (HTTPVenueClient, HTTPClient) {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let configuration = VenueClientConfiguration(requestTimeoutMilliseconds: 2000, requestOptions: VenueRequestOptions(listingPageSize: pageSize))
        let client = try VenueClients.make(descriptor: Fixtures.descriptor(.bitgetMix, baseURL: server.baseURL), credentials: Fixtures.credentials, httpClient: http,
                                           configuration: configuration, clock: VenueClock(localNow: { Fixtures.timestamp }), admission: admission)
        return (client, http)
    }

    @Test func eachLegNamesItsStatusAndIsSignedAsSent() throws {
        let live = try Fixtures.build(.openOrders(symbol: "BTCUSDT", cursor: nil, leg: .state("live")), .bitgetMix)
        #expect(live.url == "https://api.bitget.com/api/v2/mix/order/orders-pending?productType=USDT-FUTURES&status=live&symbol=BTCUSDT")
        let partial = try Fixtures.build(.openOrders(symbol: nil, cursor: "41", leg: .state("partially_filled")), .bitgetMix)
        #expect(partial.url == "https://api.bitget.com/api/v2/mix/order/orders-pending?idLessThan=41&limit=100&productType=USDT-FUTURES&status=partially_filled")
        // The signature covers the query as sent, status included.
        let sign = BitgetSigner.signature(secret: "test-api-secret", timestamp: "1700000000000", method: "GET", path: "/api/v2/mix/order/orders-pending",
                                          query: "idLessThan=41&limit=100&productType=USDT-FUTURES&status=partially_filled", body: "")
        #expect(partial.header("ACCESS-SIGN") == sign)
    }

    @Test(arguments: [VenueKind.gateFutures, .gateSpot, .htxSpot, .binanceCoinM])
    func otherVenuesReadEverythingAtOnceAndRefuseAStateLeg(kind: VenueKind) throws {
        #expect(throws: VenueRequestError.self) { try Fixtures.build(.openOrders(symbol: nil, cursor: nil, leg: .state("live")), kind) }
        let adapter = try VenueRequests.makeAdapter(descriptor: Fixtures.descriptor(kind), credentials: Fixtures.credentials, options: VenueRequestOptions())
        #expect(adapter.listingLegs == [.all])
    }

    @Test func liveThenPartiallyFilledEachPagedAndAdmittedThenMerged() async throws {
        // live: two pages (3, 2 | 1); partially_filled: one full page (5, and 2, which filled in part between the reads), then
        // an empty one.
        let server = try await StubVenueServer.start { request, _ in
            let query = request.query
            if query.contains("status=live") {
                return query.contains("idLessThan=2") ? Self.page([Self.item("1", status: "live")], endId: "1")
                    : Self.page([Self.item("3", status: "live"), Self.item("2", status: "live")], endId: "2")
            }
            if query.contains("status=partially_filled") {
                return query.contains("idLessThan=2") ? Self.page([], endId: nil)
                    : Self.page([Self.item("5", "ETHUSDT", status: "partially_filled"), Self.item("2", status: "partially_filled")], endId: "2")
            }
            return .init(status: 400, body: #"{"code":"40017","msg":"an unfiltered listing was sent"}"#)
        }
        let admission = CountingAdmission()
        let (client, http) = try client(server, pageSize: 2, admission: admission)

        let orders = try await client.openOrders(symbol: nil)
        #expect(orders.map(\.venueOrderId) == ["3", "2", "1", "5"])
        #expect(orders.map(\.clientOrderId) == ["c-3", "c-2", "c-1", "c-5"])
        #expect(server.requests.map(\.query) == [
            "productType=USDT-FUTURES&status=live",
            "idLessThan=2&limit=2&productType=USDT-FUTURES&status=live",
            "productType=USDT-FUTURES&status=partially_filled",
            "idLessThan=2&limit=2&productType=USDT-FUTURES&status=partially_filled",
        ])
        // Every page of both legs took its own admission, as a listing.
        #expect(admission.admitted.withLockedValue { $0 } == Array(repeating: VenueOperation.openOrders(symbol: false), count: 4))
        try await http.shutdown()
        await server.stop()
    }

    @Test func aSymbolIsAskedInBothLegs() async throws {
        let server = try await StubVenueServer.start { request, _ in
            request.query.contains("status=partially_filled") ? Self.page([Self.item("7", status: "partially_filled")], endId: "7") : Self.page([], endId: nil)
        }
        let admission = CountingAdmission()
        let (client, http) = try client(server, admission: admission)
        #expect(try await client.openOrders(symbol: "BTCUSDT").map(\.venueOrderId) == ["7"])
        #expect(server.requests.map(\.query) == ["productType=USDT-FUTURES&status=live&symbol=BTCUSDT",
                                                 "productType=USDT-FUTURES&status=partially_filled&symbol=BTCUSDT"])
        #expect(admission.admitted.withLockedValue { $0 } == [.openOrders(symbol: true), .openOrders(symbol: true)])
        try await http.shutdown()
        await server.stop()
    }

    @Test func aFailedPartiallyFilledLegFailsTheWholeListing() async throws {
        // The live orders alone are not the venue's open orders: a listing missing a leg decides nothing.
        let server = try await StubVenueServer.start { request, _ in
            request.query.contains("status=partially_filled")
                ? .init(status: 500, body: #"{"code":"40015","msg":"System abnormal, please try again later"}"#)
                : Self.page([Self.item("3", status: "live")], endId: "3")
        }
        let (client, http) = try client(server, admission: CountingAdmission())
        await #expect(throws: VenueAnswerError.self) { try await client.openOrders(symbol: nil) }
        #expect(server.requests.count == 2)
        try await http.shutdown()
        await server.stop()
    }

    @Test func theArmedCheckReadsOnePage() async throws {
        let server = try await StubVenueServer.start { _, _ in Self.page([], endId: nil) }
        let (client, http) = try client(server, admission: CountingAdmission())
        #expect(await client.armedCheck().ok)
        #expect(server.requests.map(\.query) == ["productType=USDT-FUTURES&status=live"])
        try await http.shutdown()
        await server.stop()
    }
}
