import Foundation

/// Percent-decoding of query strings and HTX's canonical percent-encoding.
enum PercentEncoding {
    /// Decodes `%XX` and, form-style, `+` as a space. Invalid escapes are kept as they are.
    static func decode(_ text: Substring, plusAsSpace: Bool = true) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let high = hexValue(iterator[iterator.startIndex]),
                let low = hexValue(iterator[iterator.startIndex + 1])
            {
                bytes.append(high << 4 | low)
                iterator = iterator.dropFirst(2)
            } else if byte == UInt8(ascii: "+"), plusAsSpace {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// RFC 3986 unreserved characters kept, every other byte as upper-case `%XX` (HTX Signature V2).
    static func encodeStrict(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                output += "%"
                output += hexDigits[Int(byte >> 4)]
                output += hexDigits[Int(byte & 0x0F)]
            }
        }
        return output
    }

    private static let hexDigits = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "A", "B", "C", "D", "E", "F"]

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// A query string as received: the raw text (signatures cover it) and its decoded pairs in order.
struct QueryString: Sendable {
    let raw: String
    let pairs: [(name: String, value: String)]

    init(raw: String) {
        self.raw = raw
        var pairs: [(name: String, value: String)] = []
        for part in raw.split(separator: "&", omittingEmptySubsequences: true) {
            if let equals = part.firstIndex(of: "=") {
                pairs.append((PercentEncoding.decode(part[..<equals]), PercentEncoding.decode(part[part.index(after: equals)...])))
            } else {
                pairs.append((PercentEncoding.decode(part), ""))
            }
        }
        self.pairs = pairs
    }

    /// The decoded query in the order sent (`a=b&c=d` with values unescaped) — what Gate and Bitget clients sign.
    var decoded: String {
        pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    func value(_ name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// Case-insensitive lookup (Binance accepts ccxt's lower-case `orderidlist`).
    func valueIgnoringCase(_ name: String) -> String? {
        pairs.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    func values(ignoringCase name: String) -> [String] {
        pairs.filter { $0.name.caseInsensitiveCompare(name) == .orderedSame }.map(\.value)
    }
}
