/// HTX Signature Version 2 (docs/venues.md §2a): base64 HMAC-SHA256 over
/// `METHOD\nhost\npath\ncanonical-query`, where the host is the Host header actually sent (lower case,
/// `:port` when not the scheme's default) and the canonical query is every parameter (the four auth
/// parameters plus, for GET, the request's own) percent-encoded and sorted by key.
public enum HTXSigner {
    public static func canonicalQuery(_ params: [(String, String)]) -> String {
        PercentEncoding.query(params.sorted { $0.0 < $1.0 })
    }

    public static func stringToSign(method: String, host: String, path: String, canonicalQuery: String) -> String {
        [method.uppercased(), host.lowercased(), path, canonicalQuery].joined(separator: "\n")
    }

    public static func signature(secret: String, method: String, host: String, path: String, canonicalQuery: String) -> String {
        HMACSigning.hmacSHA256Base64(secret: secret, message: stringToSign(method: method, host: host, path: path, canonicalQuery: canonicalQuery))
    }

    /// `YYYY-MM-DDThh:mm:ss` in UTC, no milliseconds, no zone suffix.
    public static func timestamp(milliseconds: Int64) -> String {
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Civil-from-days (Howard Hinnant's algorithm), proleptic Gregorian.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let yearText = String(year)
        let paddedYear = String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText
        return "\(paddedYear)-\(two(month))-\(two(day))T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60))"
    }
}
