import AsyncHTTPClient
import Foundation
import KillSwitchCore
import Logging
import NIOConcurrencyHelpers
import Testing
@testable import Venues

/// The client against a real loopback HTTP server: timeouts, throttling signals, clock resync-and-retry,
/// HTX's Host header with a port, paging, raw bodies kept, secrets never logged.
@Suite("Transport over loopback HTTP", .serialized)
struct TransportTests {
    static let now: Int64 = 1_700_000_000_000

    struct Harness {
        let server: StubVenueServer
        let http: HTTPClient
        let client: HTTPVenueClient
        let logs: NIOLockedValueBox<[String]>

        func stop() async {
            try? await http.shutdown()
            await server.stop()
        }
    }

    func harness(_ kind: VenueKind, market: VenueMarket? = nil, credentials: VenueCredentials = Fixtures.credentials,
                 configuration: VenueClientConfiguration = VenueClientConfiguration(requestTimeoutMilliseconds: 2000),
                 respond: @escaping StubVenueServer.Responder) async throws -> Harness {
        let server = try await StubVenueServer.start(respond)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let logs = NIOLockedValueBox<[String]>([])
        let logger = Logger(label: "test") { _ in CapturingLogHandler(sink: logs) }
        let client = try VenueClients.make(descriptor: Fixtures.descriptor(kind, baseURL: server.baseURL, market: market), credentials: credentials,
                                           httpClient: http, configuration: configuration, clock: VenueClock(localNow: { TransportTests.now }), logger: logger)
        return Harness(server: server, http: http, client: client, logs: logs)
    }

    @Test func timeoutGivesUnknownAndSent() async throws {
        let h = try await harness(.gateSpot, configuration: VenueClientConfiguration(requestTimeoutMilliseconds: 300)) { _, _ in
            .init(status: 200, body: "[]", delayMilliseconds: 3000)
        }
        let started = Date()
        let result = await h.client.cancel(Fixtures.batch([Fixtures.target("1", symbol: "BTC_USDT")], kind: .gateSpot))
        #expect(Date().timeIntervalSince(started) < 2.5)
        #expect(result.outcomes.map(\.kind) == [.unknown])
        #expect(result.wasSent)
        #expect(result.transportError != nil)
        #expect(result.httpStatus == nil)
        await h.stop()
    }

    @Test func connectionRefusedIsRetryableAndNotSent() async throws {
        let probe = try await StubVenueServer.start { _, _ in .init(status: 200, body: "") }
        let url = probe.baseURL
        await probe.stop()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = try VenueClients.make(descriptor: Fixtures.descriptor(.bitgetMix, baseURL: url), credentials: Fixtures.credentials, httpClient: http,
                                           configuration: VenueClientConfiguration(requestTimeoutMilliseconds: 1000))
        let result = await client.cancel(Fixtures.batch([Fixtures.target("1", symbol: "BTCUSDT")], kind: .bitgetMix))
        #expect(result.outcomes.map(\.kind) == [.retryable])
        #expect(!result.wasSent)
        try await http.shutdown()
    }

    @Test func throttledWithRetryAfter() async throws {
        let h = try await harness(.gateFutures) { _, _ in
            .init(status: 429, headers: [HTTPField("Retry-After", "2"), HTTPField("X-Gate-RateLimit-Requests-Remain", "0"), HTTPField("X-Gate-RateLimit-Limit", "200")],
                  body: #"{"label":"TOO_MANY_REQUESTS","message":"Request Rate limit Exceeded (311)"}"#)
        }
        let result = await h.client.cancel(Fixtures.batch([Fixtures.target("1"), Fixtures.target("2")], kind: .gateFutures))
        #expect(result.outcomes.map(\.kind) == [.rateLimited, .rateLimited])
        #expect(result.httpStatus == 429)
        #expect(result.venueCode == "TOO_MANY_REQUESTS")
        #expect(result.rateLimit == RateLimitSignal(throttled: true, retryAfterMilliseconds: 2000, remaining: 0))
        await h.stop()
    }

    @Test func throttledWithResetHeaderOnly() async throws {
        let reset = String(TransportTests.now / 1000 + 3)
        let h = try await harness(.gateSpot) { _, _ in
            .init(status: 429, headers: [HTTPField("X-Gate-RateLimit-Reset-Timestamp", reset)], body: #"{"label":"TOO_MANY_REQUESTS","message":""}"#)
        }
        let result = await h.client.cancel(Fixtures.batch([Fixtures.target("1", symbol: "BTC_USDT")], kind: .gateSpot))
        #expect(result.rateLimit?.throttled == true)
        #expect(result.rateLimit?.retryAfterMilliseconds == 3000)
        await h.stop()
    }

    @Test func usageHeadersWithoutThrottling() async throws {
        let h = try await harness(.binanceCoinM) { _, _ in
            .init(status: 200, headers: [HTTPField("X-MBX-USED-WEIGHT-1M", "37")], body: #"[{"orderId":1,"status":"CANCELED"}]"#)
        }
        let result = await h.client.cancel(Fixtures.batch([Fixtures.target("1")], kind: .binanceCoinM))
        #expect(result.outcomes.map(\.kind) == [.cancelled])
        #expect(result.rateLimit == RateLimitSignal(throttled: false, usedWeight: 37))
        await h.stop()
    }

    @Test func clockRejectionResyncsAndRetriesOnce() async throws {
        let h = try await harness(.gateSpot) { request, _ in
            if request.path == "/api/v4/spot/time" {
                return .init(status: 200, body: #"{"server_time":1700000100000}"#)
            }
            if request.header("Timestamp") == "1700000000" {
                return .init(status: 400, body: #"{"label":"REQUEST_EXPIRED","message":"Timestamp is far from the server time"}"#)
            }
            return .init(status: 200, body: #"[{"currency_pair":"BTC_USDT","id":"1","succeeded":true}]"#)
        }
        let result = await h.client.cancel(Fixtures.batch([Fixtures.target("1", symbol: "BTC_USDT")], kind: .gateSpot))
        #expect(result.outcomes.map(\.kind) == [.cancelled])
        #expect(h.server.requests.map(\.path) == ["/api/v4/spot/cancel_batch_orders", "/api/v4/spot/time", "/api/v4/spot/cancel_batch_orders"])
        #expect(h.server.requests.last?.header("Timestamp") == "1700000100")
        #expect(h.client.clockOffsetMilliseconds == 100_000)
        await h.stop()
    }

    @Test func persistentClockRejectionCountsAfterOneRetry() async throws {
        let h = try await harness(.binanceCoinM) { request, _ in
            if request.path == "/dapi/v1/time" { return .init(status: 200, body: #"{"serverTime":1700000000500}"#) }
            return .init(status: 400, body: #"{"code":-1021,"msg":"Timestamp for this request is outside of the recvWindow."}"#)
        }
        let result = await h.client.cancel(Fixtures.batch([Fixtures.target("1"), Fixtures.target("2")], kind: .binanceCoinM))
        #expect(result.outcomes.map(\.kind) == [.retryable, .retryable])
        #expect(result.venueCode == "-1021")
        #expect(h.server.requests.map(\.path) == ["/dapi/v1/batchOrders", "/dapi/v1/time", "/dapi/v1/batchOrders"])
        await h.stop()
    }

    @Test func htxSignsTheHostHeaderActuallySentWithPort() async throws {
        let h = try await harness(.htxSpot) { request, _ in
            // Verify as the venue would: over the Host header received.
            let host = request.header("Host") ?? ""
            var params = request.query.split(separator: "&").map(String.init)
            let signature = params.removeLast()
            let expected = HTXSigner.signature(secret: "test-api-secret", method: request.method, host: host, path: request.path, canonicalQuery: params.joined(separator: "&"))
            guard signature == "Signature=" + PercentEncoding.encode(expected) else {
                return .init(status: 200, body: #"{"status":"error","err-code":"api-signature-not-valid","err-msg":"Signature not valid","data":null}"#)
            }
            return .init(status: 200, body: #"{"status":"ok","data":{"success":["12345"],"failed":[]}}"#)
        }
        let result = await h.client.cancel(Fixtures.batch([Fixtures.target("12345", symbol: "btcusdt")], kind: .htxSpot))
        #expect(h.server.requests.first?.header("Host") == "127.0.0.1:\(h.server.port)")
        #expect(h.server.requests.first?.body == #"{"order-ids":["12345"]}"#)
        #expect(result.outcomes.map(\.kind) == [.pending])
        #expect(h.server.requests.count == 1)
        await h.stop()
    }

    @Test func htxSignatureErrorResyncsOnceThenRejects() async throws {
        let h = try await harness(.htxSpot) { request, _ in
            if request.path == "/v1/common/timestamp" { return .init(status: 200, body: #"{"status":"ok","data":1700000000000}"#) }
            return .init(status: 200, body: #"{"status":"error","err-code":"api-signature-not-valid","err-msg":"Signature not valid","data":null}"#)
        }
        let result = await h.client.cancel(Fixtures.batch([Fixtures.target("1")], kind: .htxSpot))
        #expect(result.outcomes.map(\.kind) == [.rejected])
        #expect(h.server.requests.count == 3)
        await h.stop()
    }

    @Test func rawBodyKeptForUnreadableAnswers() async throws {
        let html = "<html><body>maintenance</body></html>"
        let h = try await harness(.bitgetMix) { _, _ in .init(status: 200, body: html) }
        let result = await h.client.cancel(Fixtures.batch([Fixtures.target("1", symbol: "BTCUSDT")], kind: .bitgetMix))
        #expect(result.outcomes.map(\.kind) == [.unknown])
        #expect(result.rawBody == html)
        #expect(result.httpStatus == 200)
        await h.stop()
    }

    @Test func gateFuturesListingPages() async throws {
        let config = VenueClientConfiguration(requestOptions: VenueRequestOptions(listingPageSize: 2))
        let h = try await harness(.gateFutures, configuration: config) { request, _ in
            if request.query.contains("offset=2") {
                return .init(status: 200, body: #"[{"id":3,"contract":"ETH_USDT","text":"t-c","status":"open"}]"#)
            }
            return .init(status: 200, body: #"[{"id":1,"contract":"BTC_USDT","text":"t-a","status":"open"},{"id":2,"contract":"BTC_USDT","text":"","status":"open"}]"#)
        }
        let orders = try await h.client.openOrders(symbol: nil)
        #expect(orders.map(\.venueOrderId) == ["1", "2", "3"])
        #expect(orders.map(\.clientOrderId) == ["t-a", nil, "t-c"])
        // Offset paging can skip rows while orders disappear: a listing of two pages is read twice, and the
        // two passes agree.
        #expect(h.server.requests.map(\.query) == ["limit=2&status=open", "limit=2&offset=2&status=open", "limit=2&status=open", "limit=2&offset=2&status=open"])
        await h.stop()
    }

    @Test func anOffsetPagedListingIsReadAgainUntilTwoPassesAgree() async throws {
        let config = VenueClientConfiguration(requestOptions: VenueRequestOptions(listingPageSize: 2))
        // Pass 1 (requests 0–1): order 1 was cancelled between the pages, so order 3 moved to offset 1 and was
        // skipped. Passes 2 and 3 see the book as it is: orders 2, 3, 4.
        let h = try await harness(.gateFutures, configuration: config) { request, index in
            let first = !request.query.contains("offset")
            switch index {
            case 0: return .init(status: 200, body: #"[{"id":1,"contract":"BTC_USDT","text":"","status":"open"},{"id":2,"contract":"BTC_USDT","text":"","status":"open"}]"#)
            case 1: return .init(status: 200, body: #"[{"id":4,"contract":"BTC_USDT","text":"","status":"open"}]"#)
            default:
                return first ? .init(status: 200, body: #"[{"id":2,"contract":"BTC_USDT","text":"","status":"open"},{"id":3,"contract":"BTC_USDT","text":"","status":"open"}]"#)
                    : .init(status: 200, body: #"[{"id":4,"contract":"BTC_USDT","text":"","status":"open"}]"#)
            }
        }
        let orders = try await h.client.openOrders(symbol: nil)
        #expect(orders.map(\.venueOrderId).sorted() == ["2", "3", "4"])
        #expect(h.server.requests.count == 6)
        await h.stop()
    }

    @Test func aListingCutShortThrowsInsteadOfPassingForGone() async throws {
        // The venue always says there is another page: past `maxPages` the listing is incomplete, so it must
        // fail (decide nothing) rather than return what it read.
        let config = VenueClientConfiguration(maxPages: 3)
        let h = try await harness(.bitgetMix, configuration: config) { _, index in
            let items = (0..<100).map { #"{"orderId":"\#(index * 100 + $0 + 1)","symbol":"BTCUSDT","clientOid":""}"# }.joined(separator: ",")
            return .init(status: 200, body: #"{"code":"00000","msg":"success","data":{"entrustedList":[\#(items)],"endId":"\#(index * 100 + 1)"}}"#)
        }
        await #expect(throws: VenueAnswerError.self) { try await h.client.openOrders(symbol: "BTCUSDT") }
        #expect(h.server.requests.count == 3)
        await h.stop()
    }

    @Test func aVenueThatIgnoresTheCursorFailsTheListingInsteadOfEndingIt() async throws {
        // A full page answered again and again with the same endId (the cursor ignored): what lies past the
        // first page was never read, so the listing decides nothing. It used to end there, as if complete.
        let h = try await harness(.bitgetMix) { _, _ in
            let items = (0..<100).map { #"{"orderId":"\#(1_000 - $0)","symbol":"BTCUSDT","clientOid":""}"# }.joined(separator: ",")
            return .init(status: 200, body: #"{"code":"00000","msg":"success","data":{"entrustedList":[\#(items)],"endId":"901"}}"#)
        }
        await #expect(throws: VenueAnswerError.self) { try await h.client.openOrders(symbol: "BTCUSDT") }
        #expect(h.server.requests.count == 2)
        await h.stop()
    }

    @Test func anHTXVenueThatIgnoresFromFailsTheListingInsteadOfEndingIt() async throws {
        // HTX pages by `from` (the last id read): a full page answered again for every `from` has not moved on.
        // The adapter used to take the repeated id as the end of the listing — a listing cut short, passing for
        // complete. Now the transport refuses it, as for every venue.
        let h = try await harness(.htxSpot) { _, _ in
            let items = (0..<100).map { #"{"id":\#(1_000 - $0),"symbol":"btcusdt","state":"submitted","client-order-id":""}"# }.joined(separator: ",")
            return .init(status: 200, body: #"{"status":"ok","data":[\#(items)]}"#)
        }
        await #expect(throws: VenueAnswerError.self) { try await h.client.openOrders(symbol: "btcusdt") }
        #expect(h.server.requests.count == 2)
        await h.stop()
    }

    @Test func htxCancelAllLoopsUntilNextIdIsMinusOne() async throws {
        let h = try await harness(.htxSpot) { _, index in
            .init(status: 200, body: #"{"status":"ok","data":{"success-count":100,"failed-count":0,"next-id":\#(index == 0 ? 5 : -1)}}"#)
        }
        let result = await h.client.cancelAll(symbol: "btcusdt")
        #expect(result.kind == .pending)
        #expect(h.server.requests.count == 2)
        #expect(h.server.requests.allSatisfy { $0.body == #"{"account-id":"100009","symbol":"btcusdt"}"# })
        await h.stop()
    }

    @Test func countdownAndServerTime() async throws {
        let h = try await harness(.binanceCoinM) { request, _ in
            switch request.path {
            case "/dapi/v1/time": .init(status: 200, body: #"{"serverTime":1700000002000}"#)
            case "/dapi/v1/countdownCancelAll": .init(status: 200, body: #"{"symbol":"BTCUSD_PERP","countdownTime":"30000"}"#)
            default: .init(status: 404, body: "")
            }
        }
        #expect(try await h.client.syncClock() == 2000)
        let result = await h.client.countdownCancelAll(symbol: "BTCUSD_PERP", timeoutSeconds: 30)
        #expect(result.kind == .cancelled)
        #expect(h.server.requests.last?.query.contains("countdownTime=30000&recvWindow=5000&timestamp=1700000002000&signature=") == true)
        await h.stop()
    }

    @Test func armedCheckReportsRejectedKeys() async throws {
        let h = try await harness(.bitgetMix) { _, _ in
            .init(status: 400, body: #"{"code":"40037","msg":"Apikey does not exist","requestTime":1700000000000,"data":null}"#)
        }
        let armed = await h.client.armedCheck()
        #expect(!armed.ok)
        #expect(armed.failure == .rejected)
        #expect(armed.detail.contains("40037"))
        await h.stop()

        let ok = try await harness(.bitgetMix) { _, _ in
            .init(status: 200, body: #"{"code":"00000","msg":"success","data":{"entrustedList":null,"endId":null}}"#)
        }
        #expect(await ok.client.armedCheck().ok)
        #expect(ok.server.requests.first?.header("ACCESS-PASSPHRASE") == "test-passphrase")
        await ok.stop()
    }

    @Test func secretsNeverReachLogsOrErrors() async throws {
        let credentials = VenueCredentials(apiKey: "KEYX-very-long-api-key", secret: "the-secret-value", passphrase: "the-passphrase")
        for kind in VenueKind.allCases {
            let h = try await harness(kind, credentials: credentials, configuration: VenueClientConfiguration(requestTimeoutMilliseconds: 200)) { request, index in
                if index == 0 { return .init(status: 200, body: "", delayMilliseconds: 1000) }
                return .init(status: 401, body: #"{"label":"INVALID_KEY","code":"40037","err-code":"api-signature-not-valid","status":"error","msg":"bad"}"#)
            }
            let batch = Fixtures.batch([Fixtures.target("1", symbol: "BTCUSDT")], kind: kind)
            let first = await h.client.cancel(batch)
            let second = await h.client.cancel(batch)
            let armed = await h.client.armedCheck()
            let all = await h.client.cancelAll(symbol: "BTCUSDT")
            let texts = h.logs.withLockedValue { $0 } + [first.transportError ?? "", second.transportError ?? "", armed.detail, all.transportError ?? "",
                                                         String(describing: first), String(describing: second), "\(h.client)"]
            for text in texts {
                #expect(!text.contains("the-secret-value"), "\(kind.rawValue): \(text)")
                #expect(!text.contains("the-passphrase"), "\(kind.rawValue): \(text)")
                #expect(!text.contains("very-long-api-key"), "\(kind.rawValue): \(text)")
            }
            #expect(h.logs.withLockedValue { $0 }.contains { $0.contains("KEYX") }, "logs name the key by its first 4 characters")
            await h.stop()
        }
    }
}

/// Collects every log line with its metadata.
struct CapturingLogHandler: LogHandler {
    let sink: NIOLockedValueBox<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        sink.withLockedValue { $0.append("\(event.level) \(event.message) \(merged) \(event.error.map { String(describing: $0) } ?? "")") }
    }
}

extension TransportTests {
    @Test func sendsAPrebuiltRequestExactly() async throws {
        let h = try await harness(.gateFutures) { _, _ in
            .init(status: 200, body: #"[{"user_id":1,"id":"12345","succeeded":true,"message":""},{"user_id":1,"id":"67890","succeeded":false,"message":"ORDER_NOT_FOUND"}]"#)
        }
        let batch = Fixtures.batch([Fixtures.target("12345", symbol: "BTC_USDT"), Fixtures.target("67890", symbol: "BTC_USDT")], kind: .gateFutures)
        let request = try VenueRequests.build(.batchCancel(batch), descriptor: h.client.descriptor, credentials: Fixtures.credentials, timestampMilliseconds: Fixtures.timestamp)
        let result = await h.client.send(request, classifyingAs: batch)
        #expect(result.outcomes.map(\.kind) == [.cancelled, .alreadyClosed])
        let received = try #require(h.server.requests.first)
        #expect(received.body == #"["12345","67890"]"#)
        #expect(received.header("SIGN") == "506b913a5c3215f4aca60fe05b835545ed30ff894215e1be173c562fbce0ccd2eff8a7b241c988370085ccb06b23cdc4b9301b33003f7629290a351d69ee1bf2")
        #expect(received.header("KEY") == "test-api-key")
        #expect(received.path == "/api/v4/futures/usdt/batch_cancel_orders")
        await h.stop()
    }
}

extension TransportTests {
    /// What the daemon's maintenance service does per round (it takes the rate-limit budget around these).
    @Test func warmUpThenArmedCheck() async throws {
        let h = try await harness(.htxSpot) { request, _ in
            if request.path == "/v1/common/timestamp" { return .init(status: 200, body: #"{"status":"ok","data":1700000000250}"#) }
            return .init(status: 200, body: #"{"status":"ok","data":[]}"#)
        }
        await h.client.warmUp()
        let first = await h.client.armedCheck()
        #expect(first.ok == true)
        #expect(try await h.client.publishedWeightLimit() == nil, "only Binance publishes its weight limit")
        #expect(h.server.requests.map(\.path).prefix(2) == ["/v1/common/timestamp", "/v1/order/openOrders"])
        #expect(h.server.requests.dropFirst().first?.query.contains("account-id=100009") == true)
        #expect(h.client.clockOffsetMilliseconds == 250)
        await h.stop()
    }
}

extension TransportTests {
    @Test func binancePublishedWeightLimitComesFromExchangeInfo() async throws {
        let h = try await harness(.binanceCoinM) { _, _ in
            .init(status: 200, body: #"{"rateLimits":[{"rateLimitType":"ORDERS","interval":"MINUTE","intervalNum":1,"limit":1200},{"rateLimitType":"REQUEST_WEIGHT","interval":"SECOND","intervalNum":30,"limit":6000}]}"#)
        }
        #expect(try await h.client.publishedWeightLimit() == BucketLimit(capacity: 6000, window: .seconds(30)))
        #expect(h.server.requests.first?.path == "/dapi/v1/exchangeInfo")
        await h.stop()
    }

    @Test func binanceExchangeInfoWithoutAWeightLimitIsAnError() async throws {
        let h = try await harness(.binanceCoinM) { _, _ in
            .init(status: 200, body: #"{"rateLimits":[{"rateLimitType":"ORDERS","interval":"MINUTE","intervalNum":1,"limit":1200}]}"#)
        }
        await #expect(throws: VenueAnswerError.self) { try await h.client.publishedWeightLimit() }
        await h.stop()
    }
}
