/// Gate APIv4 signing, shared by spot and futures (docs/venues.md §1a): lower-case hex HMAC-SHA512 over
/// `METHOD\n/api/v4/path\nraw-query\nhex(SHA512(body))\nTimestamp`.
public enum GateSigner {
    public static func stringToSign(method: String, path: String, rawQuery: String, body: String, timestamp: String) -> String {
        [method.uppercased(), path, rawQuery, HMACSigning.sha512Hex(body), timestamp].joined(separator: "\n")
    }

    public static func signature(secret: String, method: String, path: String, rawQuery: String, body: String, timestamp: String) -> String {
        HMACSigning.hmacSHA512Hex(secret: secret, message: stringToSign(method: method, path: path, rawQuery: rawQuery, body: body, timestamp: timestamp))
    }
}
