import Foundation

/// Reading loosely-typed JSON request bodies the way venues do: ids may arrive as strings or numbers.
enum JSONInput {
    /// The parsed body, or nil when it is not JSON.
    static func parse(_ bytes: [UInt8]) -> Any? {
        guard !bytes.isEmpty else { return nil }
        return try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    /// A string or an integer as text; nil for anything else.
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
