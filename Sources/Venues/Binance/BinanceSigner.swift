/// Binance signing (docs/venues.md §4a): lower-case hex HMAC-SHA256 over the query string exactly as sent
/// (percent-encoded), `signature` appended last.
public enum BinanceSigner {
    public static func signature(secret: String, totalParams: String) -> String {
        HMACSigning.hmacSHA256Hex(secret: secret, message: totalParams)
    }
}
