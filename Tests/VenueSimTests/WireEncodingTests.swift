import Foundation
import Testing
@testable import VenueSim

/// The hand-written JSON paths agree with a real JSON parser.
@Suite struct WireEncodingTests {
    @Test func flatIdArrayFastPathAndItsFallbacks() {
        #expect(JSONInput.flatIdArray(Array(#"["1","2"]"#.utf8)) == ["1", "2"])
        #expect(JSONInput.flatIdArray(Array(#" [ "1" , 22 ,-3 ] "#.utf8)) == ["1", "22", "-3"])
        #expect(JSONInput.flatIdArray(Array("[]".utf8)) == [])
        #expect(JSONInput.flatIdArray(Array(#"["a\"b"]"#.utf8)) == nil)  // escapes: left to the full parser
        #expect(JSONInput.flatIdArray(Array(#"["1",]"#.utf8)) == nil)
        #expect(JSONInput.flatIdArray(Array(#"["1"] x"#.utf8)) == nil)
        #expect(JSONInput.flatIdArray(Array(#"{"a":1}"#.utf8)) == nil)
        #expect(JSONInput.flatIdArray(Array("[1.5]".utf8)) == nil)
    }

    @Test func jsonWriterEscapesAndKeepsKeyOrder() throws {
        let value = JSONValue.object([
            ("z", .string("quote \" backslash \\ newline \n tab \t bell \u{07} é")),
            ("a", .array([.int(-1), .rawNumber("0.001"), .bool(true), .null, .numericId("123"), .numericId("t-1")])),
        ])
        let text = value.text
        #expect(text.hasPrefix(#"{"z":"#))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(parsed["z"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{07} é")
        #expect((parsed["a"] as? [Any])?.count == 6)
        #expect(text.contains(#"123,"t-1"]"#))
    }
}
