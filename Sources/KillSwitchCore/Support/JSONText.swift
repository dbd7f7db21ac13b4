/// A tiny compact-JSON writer: the venues sign (or hash) the body bytes, so the body is written by hand
/// in a fixed key order with no spaces, never by an encoder whose key order or escaping could drift. The
/// store's audit details use it too (cheaper on the trip path than `JSONSerialization`).
public enum JSONText {
    public static func string(_ s: String) -> String {
        // Most strings (ids, symbols, names) need no escaping: copied whole, not scalar by scalar.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) { return "\"" + s + "\"" }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `{"k":v,…}` from already-encoded values, in the order given.
    public static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    public static func array(_ elements: [String]) -> String {
        "[" + elements.joined(separator: ",") + "]"
    }

    public static func stringArray(_ values: [String]) -> String {
        array(values.map(string))
    }
}
