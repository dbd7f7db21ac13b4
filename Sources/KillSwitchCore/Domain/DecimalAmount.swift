import Foundation

/// A decimal amount kept as its canonical text (never binary floating point), compared exactly.
/// Accepts an optional leading `-`, digits, and an optional fraction: `64250.5`, `-3`, `0.001`.
public struct DecimalAmount: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Canonical text: no leading zeros in the integer part, no trailing zeros in the fraction, `0` for zero.
    public let text: String

    public init?(_ raw: String) {
        guard let canonical = DecimalAmount.canonicalize(raw) else { return nil }
        text = canonical
    }

    public init(integer: Int) {
        text = String(integer)
    }

    public static let zero = DecimalAmount(integer: 0)

    public var isNegative: Bool { text.hasPrefix("-") }
    public var isZero: Bool { text == "0" }

    public var decimal: Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) ?? 0 }

    public init(_ decimal: Decimal) {
        var value = decimal
        var rounded = Decimal()
        NSDecimalRound(&rounded, &value, 12, .plain)
        text = DecimalAmount.canonicalize(rounded.description) ?? "0"
    }

    public var description: String { text }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = DecimalAmount(raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(raw)\" is not a decimal number")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    public static func < (lhs: DecimalAmount, rhs: DecimalAmount) -> Bool {
        switch (lhs.isNegative, rhs.isNegative) {
        case (true, false): return true
        case (false, true): return false
        case (false, false): return magnitudeLess(lhs.text.utf8, rhs.text.utf8)
        case (true, true): return magnitudeLess(rhs.text.utf8.dropFirst(), lhs.text.utf8.dropFirst())
        }
    }

    /// Compares two canonical non-negative decimal texts without converting them.
    private static func magnitudeLess<S: Collection<UInt8>>(_ a: S, _ b: S) -> Bool {
        let dot = UInt8(ascii: ".")
        let aInt = a.prefix { $0 != dot }, bInt = b.prefix { $0 != dot }
        if aInt.count != bInt.count { return aInt.count < bInt.count }
        if !aInt.elementsEqual(bInt) { return aInt.lexicographicallyPrecedes(bInt) }
        let aFrac = a.dropFirst(aInt.count + 1), bFrac = b.dropFirst(bInt.count + 1)
        return aFrac.lexicographicallyPrecedes(bFrac)
    }

    static func canonicalize(_ raw: String) -> String? {
        var bytes = Array(raw.utf8)
        var negative = false
        if bytes.first == UInt8(ascii: "-") {
            negative = true
            bytes.removeFirst()
        }
        guard !bytes.isEmpty else { return nil }
        let dot = UInt8(ascii: ".")
        let parts = bytes.split(separator: dot, maxSplits: 1, omittingEmptySubsequences: false)
        let integer = parts[0]
        let fraction = parts.count > 1 ? parts[1] : []
        func isDigits<C: Collection<UInt8>>(_ c: C) -> Bool { c.allSatisfy { $0 >= 48 && $0 <= 57 } }
        guard !integer.isEmpty, isDigits(integer), isDigits(fraction) else { return nil }
        if parts.count > 1 && fraction.isEmpty { return nil }
        guard integer.count + fraction.count <= 38 else { return nil }
        var intPart = integer.drop { $0 == 48 }
        if intPart.isEmpty { intPart = [48][...] }
        var fracPart = Array(fraction)
        while fracPart.last == 48 { fracPart.removeLast() }
        var out = String(decoding: intPart, as: UTF8.self)
        if !fracPart.isEmpty { out += "." + String(decoding: fracPart, as: UTF8.self) }
        if out == "0" { return out }
        return negative ? "-" + out : out
    }
}
