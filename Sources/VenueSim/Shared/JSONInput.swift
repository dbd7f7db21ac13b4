import Foundation

/// Reading loosely-typed JSON request bodies the way venues do: ids may arrive as strings or numbers.
enum JSONInput {
    /// The parsed body, or nil when it is not JSON.
    static func parse(_ bytes: [UInt8]) -> Any? {
        guard !bytes.isEmpty else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    /// A string or an integer as text; nil for anything else.
    /// Fast path for the hottest body, a flat array of ids (`["1","2"]`, `[1, 2]`), without Foundation's
    /// boxing; nil when the text is anything else (callers then fall back to `parse`). Strings with escapes
    /// are left to the full parser.
    static func flatIdArray(_ bytes: [UInt8]) -> [String]? {
        var index = 0
        func skipSpace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                index += 1
            }
        }
        skipSpace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { return nil }
        index += 1
        var ids: [String] = []
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            skipSpace()
            return index == bytes.count ? ids : nil
        }
        while index < bytes.count {
            skipSpace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "\"") {
                let start = index + 1
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 { end += 1 }
                guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { return nil }
                ids.append(String(decoding: bytes[start..<end], as: UTF8.self))
                index = end + 1
            } else {
                let start = index
                if bytes[index] == UInt8(ascii: "-") { index += 1 }
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
                guard index > start, bytes[index - 1] != UInt8(ascii: "-") else { return nil }
                ids.append(String(decoding: bytes[start..<index], as: UTF8.self))
            }
            skipSpace()
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
            } else if bytes[index] == UInt8(ascii: "]") {
                index += 1
                skipSpace()
                return index == bytes.count ? ids : nil
            } else {
                return nil
            }
        }
        return nil
    }

    static func idText(_ value: Any?) -> String? {
        switch value {
        case let text as String: return text
        case let number as NSNumber:
            let double = number.doubleValue
            if double == double.rounded(), abs(double) < 1e18 { return String(number.int64Value) }
            return number.stringValue
        default: return nil
        }
    }

    static func int(_ value: Any?) -> Int64? {
        switch value {
        case let number as NSNumber:
            let double = number.doubleValue
            return double == double.rounded() ? number.int64Value : nil
        case let text as String: return Int64(text)
        default: return nil
        }
    }
}
