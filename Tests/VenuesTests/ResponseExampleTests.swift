import KillSwitchCore
import Testing
@testable import Venues

/// Each answer in `Fixtures/venue-answers/` read into the right per-order outcomes.
@Suite("Venue answer examples")
struct ResponseExampleTests {
    func outcomes(_ file: String, _ kind: VenueKind, _ targets: [CancelTarget], status: Int = 200) throws -> [OrderCancelOutcome] {
        let answer = VenueHTTPAnswer(status: status, body: try Fixtures.example(file))
        return try VenueRequests.outcomes(of: answer, for: Fixtures.batch(targets, kind: kind), descriptor: Fixtures.descriptor(kind))
    }

    @Test func gateFuturesExample() throws {
        let result = try outcomes("gate-futures-batch-cancel.response.json", .gateFutures, [Fixtures.target("123456", symbol: "BTC_USDT"), Fixtures.target("999", symbol: "BTC_USDT")])
        #expect(result.map(\.kind) == [.cancelled, .unknown])
    }

    @Test func gateSpotExample() throws {
        let result = try outcomes("gate-spot-batch-cancel.response.json", .gateSpot, [Fixtures.target("123456", symbol: "BTC_USDT")])
        #expect(result.map(\.kind) == [.cancelled])
    }

    @Test func htxExampleMixedSuccessAndFailure() throws {
        let result = try outcomes("htx-spot-batch-cancel.response.json", .htxSpot, [Fixtures.target("12345", symbol: "btcusdt"), Fixtures.target("357631450723117", symbol: "btcusdt")])
        // `success` only means "submitted"; order-state 7 (canceled) means the order is already gone.
        #expect(result.map(\.kind) == [.pending, .alreadyClosed])
        #expect(result[1].venueCode == "order-orderstate-error")
    }

    @Test func htxExampleMatchedByClientId() throws {
        let result = try outcomes("htx-spot-batch-cancel.response.json", .htxSpot, [Fixtures.target("123456", symbol: "btcusdt", client: true)])
        #expect(result.map(\.kind) == [.alreadyClosed])
    }

    @Test func bitgetExampleMixedSuccessAndFailure() throws {
        let result = try outcomes("bitget-mix-batch-cancel.response.json", .bitgetMix, [Fixtures.target("121211212122", symbol: "BTCUSDT"), Fixtures.target("232", symbol: "BTCUSDT")])
        #expect(result.map(\.kind) == [.cancelled, .alreadyClosed])
        #expect(result[1].message == "notExistend")
    }

    @Test func binanceExampleMixedSuccessAndFailure() throws {
        let result = try outcomes("binance-coinm-batch-cancel.response.json", .binanceCoinM, [Fixtures.target("283194212", symbol: "BTCUSD_200925"), Fixtures.target("283194213", symbol: "BTCUSD_200925")])
        #expect(result.map(\.kind) == [.cancelled, .alreadyClosed])
        #expect(result[1].venueCode == "-2011")
    }

    @Test func htxOrderStatesAsNumbersOrStrings() {
        let adapter = try! HTXAdapter(descriptor: Fixtures.descriptor(.htxSpot), credentials: Fixtures.credentials, options: VenueRequestOptions())
        let cases: [(String, CancelOutcomeKind)] = [("-1", .alreadyClosed), ("5", .alreadyClosed), ("6", .alreadyClosed), ("7", .alreadyClosed), ("10", .pending), ("1", .unknown), ("3", .unknown), ("4", .unknown)]
        for (state, kind) in cases {
            for encoded in [state, "\"\(state)\""] {
                let body = #"{"status":"ok","data":{"success":[],"failed":[{"order-id":"1","err-code":"order-orderstate-error","order-state":"# + encoded + "}]}}"
                let verdict = adapter.classifyBatch(VenueHTTPAnswer(status: 200, body: body), batch: Fixtures.batch([Fixtures.target("1")], kind: .htxSpot))
                #expect(verdict.outcomes.map(\.kind) == [kind], "order-state \(encoded)")
            }
        }
    }

    @Test func gateFuturesFreeTextLabels() {
        let adapter = try! GateAdapter(descriptor: Fixtures.descriptor(.gateFutures), credentials: Fixtures.credentials, options: VenueRequestOptions())
        let cases: [(String, CancelOutcomeKind)] = [
            ("ORDER_NOT_FOUND", .alreadyClosed),
            ("order not found: ORDER_FINISHED", .alreadyClosed),
            ("TOO_BUSY try later", .retryable),
            ("NOT_FOUND", .rejected),
            ("something went wrong", .unknown),
            ("", .unknown),
        ]
        for (message, kind) in cases {
            let body = #"[{"user_id":1,"id":"1","succeeded":false,"message":"# + JSONText.string(message) + "}]"
            let verdict = adapter.classifyBatch(VenueHTTPAnswer(status: 200, body: body), batch: Fixtures.batch([Fixtures.target("1")], kind: .gateFutures))
            #expect(verdict.outcomes.map(\.kind) == [kind], "message \(message)")
        }
    }

    @Test func binanceNonCanceledStatusIsNotCancelled() {
        let adapter = try! BinanceAdapter(descriptor: Fixtures.descriptor(.binanceCoinM), credentials: Fixtures.credentials, options: VenueRequestOptions())
        let body = #"[{"orderId":1,"status":"NEW","symbol":"BTCUSD_PERP"}]"#
        let verdict = adapter.classifyBatch(VenueHTTPAnswer(status: 200, body: body), batch: Fixtures.batch([Fixtures.target("1")], kind: .binanceCoinM))
        #expect(verdict.outcomes.map(\.kind) == [.unknown])
    }
}
