/// Bitget v2 signing (docs/venues.md §3a): base64 HMAC-SHA256 over
/// `timestamp + METHOD + requestPath [+ "?" + query] + body`.
public enum BitgetSigner {
    public static func prehash(timestamp: String, method: String, path: String, query: String, body: String) -> String {
        timestamp + method.uppercased() + path + (query.isEmpty ? "" : "?" + query) + body
    }

    public static func signature(secret: String, timestamp: String, method: String, path: String, query: String, body: String) -> String {
        HMACSigning.hmacSHA256Base64(secret: secret, message: prehash(timestamp: timestamp, method: method, path: path, query: query, body: body))
    }
}
