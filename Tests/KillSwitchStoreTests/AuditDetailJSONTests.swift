import Foundation
import Testing
@testable import KillSwitchStore

/// The audit detail's hand-written JSON: whatever a reason or note holds, a JSON reader gets the same strings
/// back, and keys come out sorted (as `JSONSerialization` with `.sortedKeys` wrote them before).
@Suite struct AuditDetailJSONTests {
    @Test func anyStringsReadBackTheSameAndKeysAreSorted() throws {
        let detail = [
            "reason": "quote \" backslash \\ slash / newline \n tab \t bell \u{07} nul \u{00} del \u{7F}",
            "scope": "venue=gate symbol=BTC_USDT",
            "note": "ünïcødé 日本 🚨",
            "": "empty key",
            "a": "",
        ]
        let text = AuditDetailJSON.encode(detail)
        let read = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
        #expect(read == detail)
        #expect(text.hasPrefix(#"{"":"empty key","a":"","note":"#), "\(text)")
        #expect(AuditDetailJSON.encode([:]) == "{}")
        #expect(!text.contains("\n") && !text.contains("\u{07}"), "control characters are escaped")
    }
}
