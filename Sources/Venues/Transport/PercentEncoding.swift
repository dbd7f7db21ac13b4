/// RFC 3986 percent-encoding: everything but the unreserved set (`A-Z a-z 0-9 - _ . ~`) becomes `%XX`
/// with upper-case hex, byte by byte over UTF-8. This is what HTX's canonical query, Binance's list
/// parameters and every query string built here use, so the signed text and the sent text never differ.
enum PercentEncoding {
    static func encode(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%"
                out.unicodeScalars.append(Unicode.Scalar(hexDigits[Int(byte >> 4)]))
                out.unicodeScalars.append(Unicode.Scalar(hexDigits[Int(byte & 0x0F)]))
            }
        }
        return out
    }

    /// `key=value&key=value` with both sides encoded, in the order given.
    static func query(_ pairs: [(String, String)]) -> String {
        pairs.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }

    /// `key=value&…` unencoded (Gate signs the decoded query).
    static func rawQuery(_ pairs: [(String, String)]) -> String {
        pairs.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
    }

    private static func isUnreserved(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
            || b == 0x2D || b == 0x5F || b == 0x2E || b == 0x7E
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
}
