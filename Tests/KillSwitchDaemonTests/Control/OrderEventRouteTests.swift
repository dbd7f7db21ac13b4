import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
#if canImport(Glibc)
import Glibc
#endif

/// `POST /v1/orders/events` over the real Unix socket: the answers exactly as the README documents them, in
/// both forms (compact by default, per event with `?results=all`), for stored, duplicate and rejected events.
extension EngineIntegration {
@Suite(.serialized) struct OrderEventRouteTests {
    static let good = #"{"eventId": "e1", "venue": "binance", "symbol": "BTCUSD_PERP", "venueOrderId": "1001", "status": "acknowledged", "side": "buy", "price": "64250.5", "quantity": "10"}"#
    static let badPrice = #"{"eventId": "e2", "venue": "binance", "symbol": "BTCUSD_PERP", "venueOrderId": "1002", "status": "acknowledged", "price": "x"}"#
    static let rejectedPrice = #"{"error":"events[1].price: \"x\" is not a decimal number","index":1,"result":"rejected"}"#

    @Test func theCompactAnswerListsOnlyTheExceptions() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let answer = try await fixture.post("/v1/orders/events", json: "[\(Self.good), \(Self.badPrice)]")
        #expect(answer.status == 200)
        #expect(answer.text == #"{"duplicates":0,"exceptions":[\#(Self.rejectedPrice)],"rejected":1,"stored":1,"warnings":0}"#)
        // The same event again changes nothing, and a batch that simply went through lists nothing.
        let again = try await fixture.post("/v1/orders/events", json: "[\(Self.good)]")
        #expect(again.text == #"{"duplicates":1,"exceptions":[],"rejected":0,"stored":0,"warnings":0}"#)
        let stored = try await fixture.daemon.store.orders(OrderFilter(scope: Scope(venue: "binance")))
        #expect(stored.map(\.venueOrderId) == ["1001"])
        #expect(stored.map(\.status) == [.acknowledged])
    }

    @Test func perEventResultsWhenAskedFor() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let answer = try await fixture.post("/v1/orders/events?results=all", json: "[\(Self.good), \(Self.badPrice)]")
        #expect(answer.status == 200)
        #expect(answer.text == #"{"duplicates":0,"rejected":1,"results":[{"index":0,"orderId":1,"orderStatus":"acknowledged","result":"stored"},\#(Self.rejectedPrice)],"stored":1,"warnings":0}"#)
        let again = try await fixture.post("/v1/orders/events?results=all", json: "[\(Self.good)]")
        #expect(again.text == #"{"duplicates":1,"rejected":0,"results":[{"index":0,"orderId":1,"result":"duplicate"}],"stored":0,"warnings":0}"#)
        // `results=exceptions` is the default, spelt out.
        let explicit = try await fixture.post("/v1/orders/events?results=exceptions", json: "[\(Self.good)]")
        #expect(explicit.text == #"{"duplicates":1,"exceptions":[],"rejected":0,"stored":0,"warnings":0}"#)
        // Both forms decode into the same API type.
        let decoded = try answer.decode(OrderEventResults.self)
        #expect(decoded.results?.map(\.result) == ["stored", "rejected"] && decoded.exceptions == nil)
    }

    @Test func aMisspeltOptionIsRefusedNotIgnored() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let misspelt = try await fixture.post("/v1/orders/events?result=all", json: "[\(Self.good)]")
        #expect(misspelt.status == 400)
        #expect(misspelt.error == "result: unknown query parameter; known: results")
        let badValue = try await fixture.post("/v1/orders/events?results=every", json: "[\(Self.good)]")
        #expect(badValue.status == 400)
        #expect(badValue.error == #"results: unknown value "every"; expected exceptions or all"#)
        // A parameter without a name (found by schemathesis): the error still names a field.
        let nameless = try await fixture.post("/v1/orders/events?=all", json: "[\(Self.good)]")
        #expect(nameless.status == 400)
        #expect(nameless.error == "query: a parameter without a name; known: results")
        // Nothing was stored by the refused requests.
        #expect(try await fixture.daemon.store.orders(OrderFilter(scope: .everything)).isEmpty)
    }

    @Test func eachStoredEventRecordsItsCaller() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let answer = try await fixture.post("/v1/orders/events", json: "[\(Self.good)]")
        #expect(answer.status == 200)
        let db = try SQLiteConnection(path: fixture.harness.configuration.database, mode: .readOnly)
        let me = try #require(getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) })
        #expect(try db.scalarText("SELECT caller FROM order_events WHERE event_id = 'e1'") == me)
        #expect(try db.scalarInt("SELECT caller_uid FROM order_events WHERE event_id = 'e1'") == Int64(getuid()))
    }

    @Test func anOriginLabelSentAsAGateClientIdIsStoredAsTheOriginWithAWarning() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        // Two manual orders a bot relays with Gate's `text` as clientOrderId: both are stored, neither takes the
        // label as its identity; a real client id (`t-…`) is kept.
        let events = [("e1", "7001", "web"), ("e2", "7002", "web"), ("e3", "7003", "t-bot-1")].map { event, id, client in
            #"{"eventId": "\#(event)", "venue": "gate-fut", "symbol": "BTC_USDT", "venueOrderId": "\#(id)", "clientOrderId": "\#(client)", "status": "acknowledged"}"#
        }
        let answer = try await fixture.post("/v1/orders/events", json: "[\(events.joined(separator: ","))]")
        #expect(answer.status == 200)
        let results = try answer.decode(OrderEventResults.self)
        #expect(results.stored == 3 && results.rejected == 0 && results.warnings == 2)
        // The compact answer lists the two warned events (stored, with their order), not the third.
        let exceptions = try #require(results.exceptions)
        #expect(exceptions.map(\.index) == [0, 1])
        #expect(exceptions.map(\.result) == ["stored", "stored"])
        #expect(exceptions.allSatisfy { $0.orderId != nil && $0.orderStatus == "acknowledged" })
        #expect(exceptions[0].warning?.hasPrefix(#"events[0].clientOrderId: "web" is not a gate-futures client order id"#) == true)
        #expect(exceptions[0].warning?.contains("stored as the order's origin") == true)
        let stored = try await fixture.daemon.store.orders(OrderFilter(scope: Scope(venue: "gate-fut")))
        #expect(stored.map(\.venueOrderId) == ["7001", "7002", "7003"])
        #expect(stored.map(\.clientOrderId) == [nil, nil, "t-bot-1"])
        #expect(stored.map(\.origin) == ["web", "web", nil])
        // The same batch again: duplicates, and the warnings still said (they are about what was sent).
        let again = try await fixture.post("/v1/orders/events?results=all", json: "[\(events.joined(separator: ","))]").decode(OrderEventResults.self)
        #expect(again.duplicates == 3 && again.warnings == 2)
        #expect(again.results?.map(\.warning).map { $0 != nil } == [true, true, false])
        // Without a venue order id nothing identifies such an order: refused, naming the field.
        let orphan = #"{"eventId": "e4", "venue": "gate-spot", "symbol": "BTC_USDT", "clientOrderId": "web", "status": "new"}"#
        let refused = try await fixture.post("/v1/orders/events", json: orphan).decode(OrderEventResults.self)
        let error = try #require(refused.exceptions?.first?.error)
        #expect(error.hasPrefix(#"events[0].clientOrderId: "web" is not a gate-spot client order id"#))
        #expect(error.hasSuffix("an event with it needs venueOrderId"))
    }

    @Test func ndjsonLinesAreEventsAndAMalformedLineIsItsOwnError() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let second = Self.good.replacingOccurrences(of: "e1", with: "e3").replacingOccurrences(of: "1001", with: "1003")
        let answer = try await fixture.post("/v1/orders/events", json: "\(Self.good)\n\n\(second)\n{not json\n", contentType: "application/x-ndjson")
        #expect(answer.status == 200)
        #expect(answer.text == #"{"duplicates":0,"exceptions":[{"error":"events[2].(line): malformed JSON: unexpected 'n' at column 2","index":2,"result":"rejected"}],"rejected":1,"stored":2,"warnings":0}"#)
    }

    @Test func malformedBodiesAreRefusedWholeSayingWhere() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let cut = try await fixture.post("/v1/orders/events", json: #"[{"eventId": "#)
        #expect(cut.status == 400)
        #expect(cut.error == "body: malformed JSON: unexpected end of input at line 1, column 14")
        // A good event before the break is not stored: the body is refused whole.
        let broken = try await fixture.post("/v1/orders/events", json: "[\(Self.good),\n  {\"eventId\" \"e2\"}]")
        #expect(broken.status == 400)
        #expect(broken.error == #"body: malformed JSON: unexpected '"' at line 2, column 14"#)
        #expect(try await fixture.daemon.store.orders(OrderFilter(scope: .everything)).isEmpty)
        let notArray = try await fixture.post("/v1/orders/events", json: "42")
        #expect(notArray.status == 400)
        #expect(notArray.error == "body: expected a JSON array of events (or one event object), got a number")
        let empty = try await fixture.post("/v1/orders/events", json: " ")
        #expect(empty.status == 400)
        #expect(empty.error?.hasPrefix("body: empty") == true)
    }
}
}
