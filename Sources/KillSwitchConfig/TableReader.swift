import KillSwitchCore

/// Reads typed keys from one table at a key path, recording every problem (wrong type, bad value,
/// missing key) and, when finished, every key it was not asked for.
final class TableReader {
    let path: String
    let entries: [String: ConfigNode]
    private var consumed: Set<String> = []
    private let sink: IssueSink

    init(path: String, entries: [String: ConfigNode], sink: IssueSink) {
        self.path = path
        self.entries = entries
        self.sink = sink
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : (key.isEmpty ? path : "\(path).\(key)") }

    func issue(_ key: String, _ message: String) { sink.add(ConfigIssue(path: keyPath(key), message: message)) }

    func has(_ key: String) -> Bool { entries[key] != nil }

    /// The raw node; marks the key as known.
    func node(_ key: String) -> ConfigNode? {
        consumed.insert(key)
        return entries[key]
    }

    func string(_ key: String, required: Bool = false) -> String? {
        switch node(key) {
        case nil:
            if required { issue(key, "missing (required)") }
            return nil
        case .string(let value)?:
            if value.isEmpty { issue(key, "must not be empty"); return nil }
            return value
        case let other?:
            issue(key, "expected a string, got \(other.typeName)")
            return nil
        }
    }

    func integer(_ key: String, required: Bool = false, range: ClosedRange<Int>? = nil) -> Int? {
        switch node(key) {
        case nil:
            if required { issue(key, "missing (required)") }
            return nil
        case .integer(let value)?:
            if let range, !range.contains(value) {
                issue(key, "\(value) is out of range \(range.lowerBound)...\(range.upperBound)")
                return nil
            }
            return value
        case let other?:
            issue(key, "expected an integer, got \(other.typeName)")
            return nil
        }
    }

    func bool(_ key: String) -> Bool? {
        switch node(key) {
        case nil: return nil
        case .bool(let value)?: return value
        case let other?:
            issue(key, "expected true or false, got \(other.typeName)")
            return nil
        }
    }

    func duration(_ key: String, required: Bool = false) -> Duration? {
        if case .integer? = entries[key] {
            consumed.insert(key)
            issue(key, "expected a duration string such as \"250ms\", \"5s\", \"2m\" or \"1h\", got an integer")
            return nil
        }
        guard let text = string(key, required: required) else { return nil }
        guard let value = DurationText.parse(text) else {
            issue(key, "invalid duration \"\(text)\": expected a positive integer with a unit ms, s, m or h (e.g. \"250ms\", \"5s\")")
            return nil
        }
        return value
    }

    /// A decimal amount written as a string (an integer is accepted too; a float never, as it is inexact).
    func decimal(_ key: String, required: Bool = false, allowNegative: Bool = false) -> DecimalAmount? {
        var text: String?
        switch node(key) {
        case nil:
            if required { issue(key, "missing (required)") }
            return nil
        case .integer(let value)?: text = String(value)
        case .string(let value)?: text = value
        case .double?:
            issue(key, "write amounts as strings (e.g. \"25000.5\"): floating-point numbers are inexact")
            return nil
        case let other?:
            issue(key, "expected a decimal string, got \(other.typeName)")
            return nil
        }
        guard let text, let value = DecimalAmount(text) else {
            issue(key, "\"\(text ?? "")\" is not a decimal number")
            return nil
        }
        if value.isNegative && !allowNegative { issue(key, "must not be negative"); return nil }
        return value
    }

    func stringArray(_ key: String, required: Bool = false) -> [String]? {
        switch node(key) {
        case nil:
            if required { issue(key, "missing (required)") }
            return nil
        case .array(let items)?:
            var out: [String] = []
            for (index, item) in items.enumerated() {
                guard case .string(let value) = item, !value.isEmpty else {
                    issue("\(key)[\(index)]", "expected a non-empty string, got \(item.typeName)")
                    continue
                }
                out.append(value)
            }
            return out
        case let other?:
            issue(key, "expected an array of strings, got \(other.typeName)")
            return nil
        }
    }

    /// A sub-table, read by its own reader (inline or standard).
    func table(_ key: String, required: Bool = false) -> TableReader? {
        switch node(key) {
        case nil:
            if required { issue(key, "missing (required)") }
            return nil
        case .table(let entries)?:
            return TableReader(path: keyPath(key), entries: entries, sink: sink)
        case let other?:
            issue(key, "expected a table, got \(other.typeName)")
            return nil
        }
    }

    /// An array of tables (`[[venues]]`), each read by its own reader at `key[i]`.
    func tables(_ key: String) -> [TableReader] {
        switch node(key) {
        case nil: return []
        case .array(let items)?:
            return items.enumerated().compactMap { index, item in
                guard case .table(let entries) = item else {
                    issue("\(key)[\(index)]", "expected a table, got \(item.typeName)")
                    return nil
                }
                return TableReader(path: "\(keyPath(key))[\(index)]", entries: entries, sink: sink)
            }
        case let other?:
            issue(key, "expected an array of tables ([[\(key)]]), got \(other.typeName)")
            return []
        }
    }

    /// Records every key nobody asked for: a typo in a risk limit must never be silently ignored.
    func finish() {
        let known = consumed.sorted().joined(separator: ", ")
        for key in entries.keys.sorted() where !consumed.contains(key) {
            sink.add(ConfigIssue(path: keyPath(key), message: "unknown key; known keys here: \(known)"))
        }
    }
}

final class IssueSink {
    private(set) var issues: [ConfigIssue] = []
    func add(_ issue: ConfigIssue) { issues.append(issue) }
}
