/// HTX Signature Version 2 (docs/venues.md 2a), checked on the query string for every method:
/// `Signature = base64(HMAC-SHA256(secret, METHOD\nhost\npath\ncanonical-query))`, where the host is the Host
/// header actually received (lower case, with `:port` when sent), and the canonical query is every parameter
/// but `Signature`, key and value percent-encoded (upper-case hex), sorted by key. POST bodies are not signed.
/// `Timestamp` (`YYYY-MM-DDThh:mm:ss`, UTC) must be within 5 minutes. A stale timestamp answers
/// `api-signature-not-valid` (HTX's exact code for it is UNVERIFIED).
enum HTXAuthenticator {
    static func authenticate(_ request: VenueRequest, core: SimCore, v2: Bool) -> Authentication {
        let key = request.query.value("AccessKeyId")
        func refuse(_ message: String, verdict: String, v2Code: Int = 1003) -> Authentication {
            .refused(
                v2
                    ? HTXErrors.v2(v2Code, message, verdict: verdict, account: key)
                    : HTXErrors.v1("api-signature-not-valid", "Signature not valid: \(message)", verdict: verdict, account: key)
            )
        }
        guard let key, let signature = request.query.value("Signature"), let timestamp = request.query.value("Timestamp"),
            let method = request.query.value("SignatureMethod"), let version = request.query.value("SignatureVersion")
        else {
            return refuse("Missing required parameter [缺少必要参数]", verdict: "bad-signature", v2Code: 2003)
        }
        guard let credentials = core.credentials(exchange: "htx", apiKey: key) else {
            return refuse("Incorrect Access key [Access key错误]", verdict: "unknown-key", v2Code: 1002)
        }
        guard method == "HmacSHA256", version == "2" else {
            return refuse("Unsupported SignatureMethod or SignatureVersion", verdict: "bad-signature")
        }
        guard let timestampMs = parseTimestamp(timestamp) else {
            return refuse("Invalid Timestamp [时间戳无效]", verdict: "expired")
        }
        if abs(request.receivedAtMs - timestampMs) > core.configuration.windows.htxMs {
            return refuse("Timestamp expired [时间戳过期]", verdict: "expired")
        }
        let canonical = request.query.pairs
            .filter { $0.name != "Signature" }
            .map { (PercentEncoding.encodeStrict($0.name), PercentEncoding.encodeStrict($0.value)) }
            .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
        let message = "\(request.method)\n\(request.host.lowercased())\n\(request.path)\n\(canonical)"
        guard DigestText.equal(DigestText.hmacSHA256Base64(key: credentials.key, message: Array(message.utf8)), signature) else {
            return refuse("Verification failure [校验失败]", verdict: "bad-signature")
        }
        return .accepted(credentials)
    }

    /// `2023-11-14T22:13:20` (UTC) → epoch ms.
    static func parseTimestamp(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 19, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
            bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":")
        else { return nil }
        func number(_ range: Range<Int>) -> Int64? {
            var value: Int64 = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        return (CivilDate.daysSinceEpoch(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm), and back.
enum CivilDate {
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
