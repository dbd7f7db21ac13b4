/// A JSON value for writing venue answers with the venues' own key order and number forms.
enum JSONValue: Sendable {
    case string(String)
    case int(Int64)
    /// A number written exactly as given (decimal text such as `"0.001"` → `0.001`).
    case rawNumber(String)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    static func int(_ value: Int) -> JSONValue { .int(Int64(value)) }

    /// An id written as a JSON number when it is all digits (venues with int64 ids), else as a string.
    static func numericId(_ id: String) -> JSONValue {
        if !id.isEmpty, id.utf8.count < 19, id.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) { return .rawNumber(id) }
        return .string(id)
    }

    static func optionalString(_ value: String?) -> JSONValue {
        value.map { .string($0) } ?? .null
    }

    var text: String {
        var output = ""
        output.reserveCapacity(128)
        write(into: &output)
        return output
    }

    func write(into output: inout String) {
        switch self {
        case .string(let value): Self.writeString(value, into: &output)
        case .int(let value): output += String(value)
        case .rawNumber(let value): output += value
        case .bool(let value): output += value ? "true" : "false"
        case .null: output += "null"
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.write(into: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output += "," }
                Self.writeString(key, into: &output)
                output += ":"
                value.write(into: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ value: String, into output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
