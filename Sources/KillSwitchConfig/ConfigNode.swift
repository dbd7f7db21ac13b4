import TOMLKit

/// A TOML document as a plain value tree, so validation can walk it with key paths and check every
/// table's keys itself (TOMLKit has no strict mode).
indirect enum ConfigNode {
    case table([String: ConfigNode])
    case array([ConfigNode])
    case string(String)
    case integer(Int)
    case double(Double)
    case bool(Bool)
    case other(String)

    init(_ value: any TOMLValueConvertible) {
        switch value.type {
        case .table:
            var entries: [String: ConfigNode] = [:]
            if let table = value.table {
                for key in table.keys { if let child = table[key] { entries[key] = ConfigNode(child) } }
            }
            self = .table(entries)
        case .array:
            self = .array(value.array.map { array in array.map { ConfigNode($0) } } ?? [])
        case .string: self = .string(value.string ?? "")
        case .int: self = .integer(value.int ?? 0)
        case .double: self = .double(value.double ?? 0)
        case .bool: self = .bool(value.bool ?? false)
        default: self = .other(value.type.description)
        }
    }

    var typeName: String {
        switch self {
        case .table: "a table"
        case .array: "an array"
        case .string: "a string"
        case .integer: "an integer"
        case .double: "a floating-point number"
        case .bool: "a boolean"
        case .other(let name): "a \(name)"
        }
    }
}
