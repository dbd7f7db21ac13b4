/// Binance HMAC-SHA256 signing (docs/venues.md 4a): `signature = hex(HMAC-SHA256(secret, totalParams))`, where
/// totalParams is the query string exactly as sent (percent-encoded) concatenated with the form body exactly
/// as sent, each without its `signature` parameter. `timestamp` must be less than 1000 ms ahead and at most
/// `recvWindow` (default 5000, ≤ 60000) behind.
enum BinanceAuthenticator {
    static func authenticate(_ request: VenueRequest, parameters: BinanceParameters, core: SimCore) -> Authentication {
        let key = request.header("X-MBX-APIKEY")
        guard let key, !key.isEmpty else {
            return .refused(BinanceErrors.reply(status: 401, code: -2014, message: "API-key format invalid.", verdict: "bad-signature", account: nil))
        }
        guard let credentials = core.credentials(exchange: "binance", apiKey: key) else {
            return .refused(
                BinanceErrors.reply(status: 401, code: -2015, message: "Invalid API-key, IP, or permissions for action.", verdict: "unknown-key", account: key)
            )
        }
        guard let timestampText = parameters.value("timestamp"), let timestamp = Int64(timestampText) else {
            return .refused(BinanceErrors.mandatory("timestamp", account: key))
        }
        let windows = core.configuration.windows
        var recvWindow = windows.binanceDefaultRecvWindowMs
        if let text = parameters.value("recvWindow") {
            guard let value = Int64(text), value > 0 else { return .refused(BinanceErrors.invalidData("recvWindow", account: key)) }
            guard value <= windows.binanceMaxRecvWindowMs else {
                return .refused(
                    BinanceErrors.reply(
                        status: 400, code: -1131, message: "recvWindow must be less than \(windows.binanceMaxRecvWindowMs).",
                        verdict: "bad-request", account: key
                    )
                )
            }
            recvWindow = value
        }
        let now = request.receivedAtMs
        if timestamp >= now + windows.binanceAheadMs {
            return .refused(
                BinanceErrors.reply(
                    status: 400, code: -1021, message: "Timestamp for this request was 1000ms ahead of the server's time.",
                    verdict: "expired", account: key
                )
            )
        }
        if now - timestamp > recvWindow {
            return .refused(
                BinanceErrors.reply(
                    status: 400, code: -1021, message: "Timestamp for this request is outside of the recvWindow.", verdict: "expired", account: key
                )
            )
        }
        guard let signature = parameters.value("signature"), !signature.isEmpty else {
            return .refused(BinanceErrors.mandatory("signature", account: key))
        }
        let totalParams = Self.withoutSignature(request.query.raw) + Self.withoutSignature(parameters.rawBody)
        let expected = DigestText.hmacSHA256Hex(key: credentials.key, message: Array(totalParams.utf8))
        guard DigestText.equal(expected, signature.lowercased()) else {
            return .refused(
                BinanceErrors.reply(status: 400, code: -1022, message: "Signature for this request is not valid.", verdict: "bad-signature", account: key)
            )
        }
        return .accepted(credentials)
    }

    /// The raw parameter string with its `signature=…` pair removed, everything else byte for byte.
    static func withoutSignature(_ raw: String) -> String {
        guard raw.contains("signature=") else { return raw }
        return raw.split(separator: "&", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("signature=") }
            .joined(separator: "&")
    }
}

/// Binance parameters from the query and an `application/x-www-form-urlencoded` body (the query wins).
/// Names are matched case-insensitively: ccxt sends `orderidlist`, which the venue accepts.
struct BinanceParameters: Sendable {
    let query: QueryString
    let body: QueryString
    let rawBody: String

    init(request: VenueRequest) {
        query = request.query
        rawBody = String(decoding: request.body, as: UTF8.self)
        body = QueryString(raw: rawBody)
    }

    func value(_ name: String) -> String? {
        query.valueIgnoringCase(name) ?? body.valueIgnoringCase(name)
    }

    func values(_ name: String) -> [String] {
        let fromQuery = query.values(ignoringCase: name)
        return fromQuery.isEmpty ? body.values(ignoringCase: name) : fromQuery
    }
}
