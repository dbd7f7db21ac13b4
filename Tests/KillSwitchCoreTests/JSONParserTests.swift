import Foundation
import Testing
@testable import KillSwitchCore

/// The venue-answer parser: one JSON document (RFC 8259), numbers kept as sent, nothing else accepted.
@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try #require(JSONValue.parse(#" { "a": [1, -2.5, 3e2, true, false, null, "x"], "b": {}, "c": [] } "#))
        #expect(value["a"]?.arrayValue?.map(\.text) == ["1", "-2.5", "3e2", nil, nil, nil, "x"])
        #expect(value["a"]?.arrayValue?[3].boolValue == true)
        #expect(value["a"]?.arrayValue?[5] == .null)
        #expect(value["b"] == .object([:]))
        #expect(value["c"] == .array([]))
    }

    @Test func numbersKeepTheirTextSoLargeIdsAreExact() throws {
        let value = try #require(JSONValue.parse(#"{"orderId": 9223372036854775807, "big": 18446744073709551615, "tiny": 0.000001}"#))
        #expect(value["orderId"]?.text == "9223372036854775807")
        #expect(value["orderId"]?.int64 == Int64.max)
        #expect(value["big"]?.text == "18446744073709551615")
        #expect(value["tiny"]?.text == "0.000001")
    }

    @Test func unescapesStrings() throws {
        let value = try #require(JSONValue.parse(#"["a\"b\\c\/d\b\f\n\r\t", "\u00e9\u4e2d", "\ud83d\ude00", "plain é"]"#))
        #expect(value.arrayValue?.map(\.text) == ["a\"b\\c/d\u{8}\u{c}\n\r\t", "é中", "😀", "plain é"])
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "[01]", "[1.]", "[.5]", "[1e]", "[-]", "[+1]", "tru", "nul", "[1] x", "{\"a\" 1}",
        "{a:1}", "\"unterminated", "[\"bad \\x escape\"]", "[\"\\ud83d\"]", "[\"raw\ncontrol\"]", "<html>502 Bad Gateway</html>", "{\"a\":1}{}",
    ])
    func rejectsWhatIsNotOneDocument(_ text: String) {
        #expect(JSONValue.parse(text) == nil)
    }

    @Test func refusesNestingBeyondTheLimit() {
        let deep = String(repeating: "[", count: JSONParser.maximumDepth + 1) + String(repeating: "]", count: JSONParser.maximumDepth + 1)
        #expect(JSONValue.parse(deep) == nil)
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(JSONValue.parse(fine) != nil)
    }

    /// Agrees with Foundation's decoder on real venue-shaped answers (the decoder is the reference for
    /// structure; number text is compared through the value).
    @Test func agreesWithJSONDecoder() throws {
        let documents = [
            #"{"code":0,"data":{"successList":[{"orderId":"121211212122","clientOid":"x"}],"failureList":[{"orderId":"3","errorMsg":"order not exist","errorCode":"40768"}]},"msg":"success","requestTime":1695806875837}"#,
            #"[{"orderId":283194212,"status":"CANCELED","symbol":"BTCUSD_PERP"},{"code":-2011,"msg":"Unknown order sent."}]"#,
            #"{"status":"ok","data":{"success":["5983466"],"failed":[{"err-msg":"order-orderstate-error","order-state":7,"order-id":"2","err-code":"order-orderstate-error"}]}}"#,
        ]
        for document in documents {
            let fast = try #require(JSONValue.parse(document))
            let reference = try JSONDecoder().decode(JSONValue.self, from: Data(document.utf8))
            #expect(normalized(fast) == normalized(reference))
        }
    }

    private func normalized(_ value: JSONValue) -> JSONValue {
        switch value {
        case .number(let number, _): .number(number, text: "")
        case .array(let items): .array(items.map(normalized))
        case .object(let members): .object(members.mapValues(normalized))
        default: value
        }
    }
}

/// The step-by-step use the order-event route makes of the parser: members handed over one by one, and
/// where a failure stopped.
@Suite struct JSONParserStepTests {
    @Test func membersComeInTheOrderSentNamesSentTwiceIncluded() {
        var parser = JSONParser(#"{"a": 1, "b": {"c": [true]}, "a": "x"}"#)
        var members: [(String, JSONValue)] = []
        let read = parser.parseObject(members: { members.append(($0, $1)) })
        #expect(read)
        #expect(members.map(\.0) == ["a", "b", "a"])
        #expect(members.map(\.1) == [.number(1, text: "1"), .object(["c": .array([.bool(true)])]), .string("x")])
        #expect(parser.isAtEnd)
    }

    @Test func aRangeIsParsedOnItsOwn() {
        let bytes = Array(#"xx{"a": 1}yy"#.utf8)
        var parser = JSONParser(bytes: bytes, range: 2..<10)
        let whole = parser.parseDocument()
        #expect(whole == .object(["a": .number(1, text: "1")]))
        var cut = JSONParser(bytes: bytes, range: 2..<9)
        let partial = cut.parseDocument()
        #expect(partial == nil)
        #expect(cut.failure == JSONParser.Failure(found: "end of input", line: 1, column: 8))
    }

    @Test(arguments: [
        (#"{"a" 1}"#, #"unexpected '1' at line 1, column 6"#),
        ("{\n  \"a\": tru }", #"unexpected 't' at line 2, column 8"#),
        (#"{"a": 1,}"#, #"unexpected '}' at line 1, column 9"#),
        (#"{"a": 1"#, "unexpected end of input at line 1, column 8"),
        ("{\"a\": \"\u{1}\"}", "unexpected byte 0x01 at line 1, column 8"),
    ])
    func aFailureSaysWhereAndOnWhat(_ text: String, _ expected: String) {
        var parser = JSONParser(text)
        let read = parser.parseObject(members: { _, _ in })
        #expect(!read)
        #expect(parser.failure.description == expected)
    }
}
