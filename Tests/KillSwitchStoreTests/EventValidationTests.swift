import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchStore

@Suite struct EventValidationTests {
    let validator = OrderEventValidator(venues: Fixtures.venues)

    static let good = #"{"eventId": "bot7-000123", "venue": "binance-main", "account": "main", "symbol": "BTCUSD_PERP", "venueOrderId": "283194212", "clientOrderId": "bot7-o-981", "status": "partiallyFilled", "side": "buy", "price": "64250.5", "quantity": "10", "filledQuantity": "3", "time": "2026-11-25T10:15:00.123Z"}"#

    func only(_ json: String) throws -> Result<OrderEvent, EventError> {
        try #require(try validator.validate(json: Data("[\(json)]".utf8)).first)
    }

    /// Replaces or removes one field of the README's example event.
    func variant(_ field: String, _ value: String?) -> String {
        var object = try! JSONSerialization.jsonObject(with: Data(Self.good.utf8)) as! [String: Any]
        if let value {
            object[field] = try! JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
        } else {
            object.removeValue(forKey: field)
        }
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func theReadmeExampleIsValid() throws {
        let event = try only(Self.good).get()
        #expect(event.eventId == "bot7-000123")
        #expect(event.status == .partiallyFilled)
        #expect(event.price == DecimalAmount("64250.5"))
        #expect(event.filledQuantity == DecimalAmount("3"))
        #expect(event.time == 1_795_601_700_123)
    }

    @Test(arguments: [
        ("venue", #""nope""#, "unknown venue \"nope\"; configured: binance-main, bitget-main, gate-fut"),
        ("eventId", nil, "missing"),
        ("eventId", "12", "expected a string, got a number"),
        ("symbol", nil, "missing"),
        ("status", #""open""#, "unknown status \"open\"; expected one of new, acknowledged, partiallyFilled, filled, cancelled, rejected, expired"),
        ("price", #""-1""#, "must not be negative (-1)"),
        ("price", #""12abc""#, "\"12abc\" is not a decimal number"),
        ("price", "64250.5", "expected a decimal string such as \"64250.5\", got a number (amounts are strings, never binary floating point)"),
        ("quantity", #""1e3""#, "\"1e3\" is not a decimal number"),
        ("quantity", #""-10""#, "must not be negative (-10)"),
        ("filledQuantity", #""11""#, "11 exceeds quantity 10"),
        ("side", #""long""#, "unknown side \"long\"; expected buy or sell"),
        ("account", #""other""#, "\"other\" is not venue binance-main's account \"main\""),
        ("time", #""yesterday""#, "\"yesterday\" is not an RFC 3339 time such as 2026-11-25T10:15:00.123Z"),
        ("settle", #""usdt""#, "\"usdt\" does not match venue binance-main's configured settle (none)"),
        ("bogus", "1", "unknown field"),
        ("venue", "true", "expected a string, got a boolean"),
    ] as [(String, String?, String)])
    func badEventIsRejectedWithItsError(field: String, value: String?, reason: String) throws {
        let result = try only(variant(field, value))
        #expect(result == .failure(EventError(index: 0, field: field, reason: reason)))
    }

    @Test func noIdAtAll() throws {
        var json = variant("venueOrderId", nil)
        json = String(decoding: try JSONSerialization.data(withJSONObject: { var o = try! JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]; o.removeValue(forKey: "clientOrderId"); return o }()), as: UTF8.self)
        #expect(try only(json) == .failure(EventError(index: 0, field: "venueOrderId", reason: "an event needs venueOrderId or clientOrderId")))
    }

    @Test func errorsNameTheEventIndexAndGoodEventsSurvive() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let batch = "[\(Self.good), \(variant("price", "\"x\"")), \(variant("eventId", "\"bot7-2\""))]"
        let validated = try validator.validate(json: Data(batch.utf8))
        let results = try await store.ingest(validated)
        guard case .stored = results[0], case .rejected(let error) = results[1], case .stored = results[2] else {
            Issue.record("got \(results)"); return
        }
        #expect(error.description == "events[1].price: \"x\" is not a decimal number")
    }

    @Test func malformedJSONAndWrongShapes() throws {
        #expect(throws: EventBatchError.self) { try validator.validate(json: Data("[{".utf8)) }
        #expect(throws: EventBatchError.notAnArray("a string")) { try validator.validate(json: Data("\"x\"".utf8)) }
        let results = try validator.validate(json: Data("[1]".utf8))
        #expect(results == [.failure(EventError(index: 0, field: "(event)", reason: "expected an object, got a number"))])
    }

    @Test func malformedJSONSaysWhereItStopped() throws {
        #expect(throws: EventBatchError.malformedJSON("unexpected end of input at line 1, column 3")) { try validator.validate(json: Data("[{".utf8)) }
        #expect(throws: EventBatchError.malformedJSON(#"unexpected '}' at line 2, column 7"#)) {
            try validator.validate(json: Data("[\(Self.good),\n  {\"a\"}]".utf8))
        }
        #expect(throws: EventBatchError.malformedJSON(#"unexpected 'x' at line 1, column 4"#)) { try validator.validate(json: Data("[] x".utf8)) }
        #expect(throws: EventBatchError.malformedJSON("unexpected byte 0x0A at line 1, column 9")) { try validator.validate(json: Data("[{\"a\": \"\n\"}]".utf8)) }
        #expect(try validator.validate(json: Data(" [ ] ".utf8)).isEmpty)
    }

    /// Which of two values was meant cannot be known: refused, naming the field (JSONDecoder kept one silently).
    @Test func aFieldSentTwiceIsRefused() throws {
        let twice = Self.good.replacingOccurrences(of: #""side": "buy""#, with: #""side": "buy", "side": "sell""#)
        #expect(try only(twice) == .failure(EventError(index: 0, field: "side", reason: "sent twice in one event")))
        // An unknown field is still the first thing said.
        let both = twice.replacingOccurrences(of: #""time""#, with: #""zzz": 1, "time""#)
        #expect(try only(both) == .failure(EventError(index: 0, field: "zzz", reason: "unknown field")))
    }

    /// The byte-level reader and the validation of an already-parsed value agree on every rule (the route uses
    /// the first; `validate(_:index:)` is public for callers holding a `JSONValue`).
    @Test func readingTheBytesAgreesWithValidatingAParsedValue() throws {
        var bodies = [Self.good, "1", "[]", "null", #"{"eventId": "x"}"#]
        for (field, value) in [("price", #""12abc""#), ("price", "64250.5"), ("eventId", nil), ("venue", "true"), ("bogus", "1"),
                               ("time", #""yesterday""#), ("quantity", #""-10""#), ("clientOrderId", #""""#), ("symbol", #"{"a": [1]}"#)] {
            bodies.append(variant(field, value))
        }
        for (index, body) in bodies.enumerated() {
            let fromBytes = try validator.validate(json: Data("[\(body)]".utf8))
            let parsed = try #require(JSONValue.parse(body))
            #expect(fromBytes == [validator.validate(parsed, index: 0)], "body \(index): \(body)")
        }
    }

    @Test func ndjsonLinesAreIndexed() throws {
        let text = Self.good + "\n\n" + "{not json}\n" + variant("eventId", "\"bot7-3\"") + "\n"
        let results = validator.validate(ndjson: Data(text.utf8))
        #expect(results.count == 3)
        guard case .success = results[0], case .failure(let error) = results[1], case .success = results[2] else {
            Issue.record("got \(results)"); return
        }
        #expect(error.index == 1)
        #expect(error.field == "(line)")
        #expect(error.reason == #"malformed JSON: unexpected 'n' at column 2"#)
        // An object followed by more on its line is not one event; a line that is JSON but not an object is
        // that event's error.
        let mixed = validator.validate(ndjson: Data("\(Self.good) {}\r\n[1]\r\n".utf8))
        #expect(mixed == [.failure(EventError(index: 0, field: "(line)", reason: #"malformed JSON: unexpected '{' at column \#(Self.good.utf8.count + 2)"#)),
                          .failure(EventError(index: 1, field: "(event)", reason: "expected an object, got an array"))])
    }

    @Test func marketFieldsMustMatchTheVenue() throws {
        var object = try JSONSerialization.jsonObject(with: Data(Self.good.utf8)) as! [String: Any]
        object["venue"] = "bitget-main"
        object["account"] = "sub1"
        object["symbol"] = "BTCUSDT"
        object["productType"] = "USDT-FUTURES"
        object["marginCoin"] = "USDC"
        let json = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        #expect(try only(json) == .failure(EventError(index: 0, field: "marginCoin", reason: "\"USDC\" does not match venue bitget-main's configured marginCoin \"USDT\"")))
    }
}

@Suite struct DecimalAndTimeTests {
    @Test func decimalCanonicalAndOrdering() {
        #expect(DecimalAmount("007.500")?.text == "7.5")
        #expect(DecimalAmount("-0.0")?.text == "0")
        #expect(DecimalAmount("1.") == nil)
        #expect(DecimalAmount(".5") == nil)
        #expect(DecimalAmount("1e5") == nil)
        #expect(DecimalAmount("+1") == nil)
        #expect(DecimalAmount("") == nil)
        #expect(DecimalAmount("9.99")! < DecimalAmount("10")!)
        #expect(DecimalAmount("10.01")! > DecimalAmount("10.001")!)
        #expect(DecimalAmount("-5")! < DecimalAmount("-4.5")!)
        #expect(DecimalAmount("-5")! < DecimalAmount("0")!)
    }

    @Test func timestampsRoundTrip() {
        #expect(Timestamp.parse("2023-11-14T22:13:20Z") == 1_700_000_000_000)
        #expect(Timestamp.parse("2023-11-14T23:13:20.5+01:00") == 1_700_000_000_500)
        #expect(Timestamp.parse("2023-02-30T00:00:00Z") == nil)
        #expect(Timestamp.parse("2023-11-14 22:13:20") == nil)
        #expect(Timestamp.format(1_700_000_000_123) == "2023-11-14T22:13:20.123Z")
        #expect(Timestamp.format(0) == "1970-01-01T00:00:00.000Z")
    }
}
