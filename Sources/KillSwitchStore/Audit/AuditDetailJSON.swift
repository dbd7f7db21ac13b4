/// An audit event's detail as a JSON object with sorted keys, written by hand: `JSONSerialization` bridges
/// through NSDictionary and cost a tenth of a millisecond on the trip path (the `trip` event is written before
/// the first cancel leaves).
enum AuditDetailJSON {
    static func encode(_ detail: [String: String]) -> String {
        var out = "{"
        for (index, key) in detail.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            appendString(key, to: &out)
            out += ":"
            appendString(detail[key]!, to: &out)
        }
        return out + "}"
    }

    /// A JSON string literal (RFC 8259 §7): quote, backslash and control characters escaped; the rest as is.
    static func appendString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
