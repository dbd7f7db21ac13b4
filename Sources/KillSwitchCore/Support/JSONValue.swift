import Foundation

/// Any JSON value, decoded without a schema: validation can name the exact field and reason ("wrong type",
/// "not a decimal") instead of a decoder's generic error, and venue answers are read tolerant of the type
/// drift venues show (HTX `order-state` as "7" or 7, ids as strings or numbers). Numbers keep their text,
/// so integer ids survive exactly.
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double, text: String)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let value = try? container.decode(Bool.self) { self = .bool(value); return }
        if let value = try? container.decode(Int64.self) { self = .number(Double(value), text: String(value)); return }
        if let value = try? container.decode(UInt64.self) { self = .number(Double(value), text: String(value)); return }
        if let value = try? container.decode(Double.self) { self = .number(value, text: String(value)); return }
        if let value = try? container.decode(String.self) { self = .string(value); return }
        if let value = try? container.decode([JSONValue].self) { self = .array(value); return }
        if let value = try? container.decode([String: JSONValue].self) { self = .object(value); return }
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let v): try container.encode(v)
        case .number(let v, _): try container.encode(v)
        case .string(let v): try container.encode(v)
        case .array(let v): try container.encode(v)
        case .object(let v): try container.encode(v)
        }
    }

    /// The JSON type's name, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// Parses `text`; nil when it is not a JSON document (never throws: a venue's HTML error page is just nil).
    public static func parse(_ text: String) -> JSONValue? {
        guard !text.isEmpty else { return nil }
        return try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var isObject: Bool {
        if case .object = self { return true }
        return false
    }

    /// A string, or a number as its text (ids and codes arrive either way).
    public var text: String? {
        switch self {
        case .string(let s): s
        case .number(_, let text): text
        default: nil
        }
    }

    public var int64: Int64? {
        switch self {
        case .number(let value, let text): Int64(text) ?? (value.isFinite ? Int64(exactly: value.rounded()) : nil)
        case .string(let s): Int64(s)
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }
}
