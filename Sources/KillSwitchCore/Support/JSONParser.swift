/// A small recursive-descent JSON parser producing `JSONValue`, for venue answers on the cancel path and
/// order events on the control socket. `JSONDecoder` decoding a schema-less `JSONValue` probes each value's
/// type by trying and failing (each failure builds a `DecodingError`): on a fan-out of 10,000 orders that was a
/// quarter of all CPU. This reads the bytes once, keeps every number's text exactly as sent (ids beyond 2^53
/// survive), and rejects anything that is not one JSON document (RFC 8259), nesting deeper than
/// `maximumDepth` included.
///
/// Besides whole documents it can be driven step by step (`skipWhitespace`, `current`, `consume`,
/// `parseValue`, `parseObject(members:)`), so a large array of objects is read one element at a time and an
/// object's members are handed over one by one instead of being collected into a dictionary first. When a
/// step fails, `position` is where the parser stopped and `failure` says where and on what, for an error message.
public struct JSONParser {
    static let maximumDepth = 256

    private let bytes: [UInt8]
    private var index: Int
    private let end: Int
    private let firstIndex: Int

    public init(_ text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// Parses `bytes[range]` (the whole array by default) without copying it.
    public init(bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        index = range?.lowerBound ?? 0
        firstIndex = index
        end = range?.upperBound ?? bytes.count
    }

    /// The document, or nil when the text is not exactly one JSON value (surrounding whitespace allowed).
    public mutating func parseDocument() -> JSONValue? {
        guard let value = parseValue(depth: 0) else { return nil }
        skipWhitespace()
        return index == end ? value : nil
    }

    /// The next value (leading whitespace skipped), or nil when it is not well-formed.
    public mutating func parseValue() -> JSONValue? { parseValue(depth: 0) }

    /// The byte at the current position; nil at the end.
    public var current: UInt8? { index < end ? bytes[index] : nil }

    public var isAtEnd: Bool { index >= end }

    /// Moves past `byte` when it is the current one.
    public mutating func consume(_ byte: UInt8) -> Bool {
        guard index < end, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    public mutating func skipWhitespace() {
        while index < end, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
    }

    /// At `{`: reads one object, handing each member to `member` in the order sent, without building a
    /// dictionary (a name sent twice is handed over twice). False when the object is not well-formed.
    public mutating func parseObject(members member: (String, JSONValue) -> Void) -> Bool {
        guard consume(UInt8(ascii: "{")) else { return false }
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { return true }
        while true {
            skipWhitespace()
            guard index < end, bytes[index] == UInt8(ascii: "\""), let key = parseString() else { return false }
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { return false }
            guard let value = parseValue(depth: 1) else { return false }
            member(key, value)
            skipWhitespace()
            if consume(UInt8(ascii: ",")) { continue }
            return consume(UInt8(ascii: "}"))
        }
    }

    /// Where and on what parsing stopped, for an error message.
    public struct Failure: Sendable, Hashable, CustomStringConvertible {
        /// `end of input`, `'x'` (a printable ASCII character, quoted) or `byte 0x0A`.
        public var found: String
        /// From 1, counted from the start of the range the parser was given; the column in bytes.
        public var line: Int
        public var column: Int

        /// `unexpected 'x' at line 1, column 13`.
        public var description: String { "unexpected \(found) at line \(line), column \(column)" }
    }

    /// What the parser stopped on (meaningful after a step failed).
    public var failure: Failure {
        var line = 1, lineBegin = firstIndex
        for offset in firstIndex..<min(index, end) where bytes[offset] == 0x0A {
            line += 1
            lineBegin = offset + 1
        }
        let column = min(index, end) - lineBegin + 1
        guard index < end else { return Failure(found: "end of input", line: line, column: column) }
        let byte = bytes[index]
        let found = (0x20..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'"
            : "byte 0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        return Failure(found: found, line: line, column: column)
    }

    private mutating func parseValue(depth: Int) -> JSONValue? {
        guard depth < Self.maximumDepth else { return nil }
        skipWhitespace()
        guard index < end else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "{"): return parseObject(depth: depth)
        case UInt8(ascii: "["): return parseArray(depth: depth)
        case UInt8(ascii: "\""): return parseString().map(JSONValue.string)
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return parseNumber()
        default: return nil
        }
    }

    private mutating func literal(_ word: StaticString, _ value: JSONValue) -> JSONValue? {
        let count = word.utf8CodeUnitCount
        guard index + count <= end else { return nil }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return nil }
        index += count
        return value
    }

    private mutating func parseObject(depth: Int) -> JSONValue? {
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < end, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard index < end, bytes[index] == UInt8(ascii: "\""), let key = parseString() else { return nil }
            skipWhitespace()
            guard index < end, bytes[index] == UInt8(ascii: ":") else { return nil }
            index += 1
            guard let value = parseValue(depth: depth + 1) else { return nil }
            members[key] = value
            skipWhitespace()
            guard index < end else { return nil }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            return nil
        }
    }

    private mutating func parseArray(depth: Int) -> JSONValue? {
        index += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < end, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            guard let value = parseValue(depth: depth + 1) else { return nil }
            elements.append(value)
            skipWhitespace()
            guard index < end else { return nil }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            return nil
        }
    }

    /// At an opening quote; returns the unescaped string and moves past the closing quote.
    private mutating func parseString() -> String? {
        index += 1
        var start = index
        var unescaped: [UInt8]? = nil
        while index < end {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text: String
                if var buffer = unescaped {
                    buffer.append(contentsOf: bytes[start..<index])
                    text = String(decoding: buffer, as: UTF8.self)
                } else {
                    text = String(decoding: bytes[start..<index], as: UTF8.self)
                }
                index += 1
                return text
            }
            if byte < 0x20 { return nil }
            if byte == UInt8(ascii: "\\") {
                var buffer = unescaped ?? []
                buffer.append(contentsOf: bytes[start..<index])
                index += 1
                guard index < end else { return nil }
                switch bytes[index] {
                case UInt8(ascii: "\""): buffer.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): buffer.append(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    guard let scalar = parseUnicodeEscape() else { return nil }
                    buffer.append(contentsOf: Array(String(Character(scalar)).utf8))
                    index -= 1
                default: return nil
                }
                index += 1
                start = index
                unescaped = buffer
                continue
            }
            index += 1
        }
        return nil
    }

    /// At the `u` of `\uXXXX`; reads one escape (two for a surrogate pair) and leaves `index` on its last digit + 1.
    private mutating func parseUnicodeEscape() -> Unicode.Scalar? {
        guard let high = hex4(at: index + 1) else { return nil }
        index += 5
        if (0xD800...0xDBFF).contains(high) {
            guard index + 6 <= end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                  let low = hex4(at: index + 2), (0xDC00...0xDFFF).contains(low) else { return nil }
            index += 6
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(high)
    }

    private func hex4(at position: Int) -> UInt32? {
        guard position + 4 <= end else { return nil }
        var value: UInt32 = 0
        for byte in bytes[position..<position + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, kept as its text.
    private mutating func parseNumber() -> JSONValue? {
        let start = index
        func digits() -> Int {
            let from = index
            while index < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < end else { return nil }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            return nil
        }
        if index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return nil }
        }
        if index < end, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { return nil }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text) else { return nil }
        return .number(value, text: text)
    }
}
