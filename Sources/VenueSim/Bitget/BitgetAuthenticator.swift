/// Bitget v2 signing (docs/venues.md 3a): `ACCESS-SIGN = base64(HMAC-SHA256(secret, timestamp + METHOD +
/// path [+ "?" + query] + body))` over the raw body bytes received; `ACCESS-PASSPHRASE` must match;
/// `ACCESS-TIMESTAMP` (ms) within 30 s (UNVERIFIED window, configurable). The query is accepted signed
/// decoded (ccxt) or raw; they coincide for ordinary values.
enum BitgetAuthenticator {
    static func authenticate(_ request: VenueRequest, core: SimCore) -> Authentication {
        let now = request.receivedAtMs
        let key = request.header("ACCESS-KEY")
        func refuse(_ code: String, _ message: String, verdict: String, status: Int = 400) -> Authentication {
            .refused(BitgetErrors.reply(status: status, code: code, message: message, verdict: verdict, account: key, now: now))
        }
        guard let key, !key.isEmpty else { return refuse("40001", "ACCESS_KEY cannot be empty", verdict: "bad-signature") }
        guard let signature = request.header("ACCESS-SIGN"), !signature.isEmpty else {
            return refuse("40002", "ACCESS_SIGN cannot be empty", verdict: "bad-signature")
        }
        guard let timestamp = request.header("ACCESS-TIMESTAMP"), !timestamp.isEmpty else {
            return refuse("40003", "ACCESS_TIMESTAMP cannot be empty", verdict: "bad-signature")
        }
        guard let passphrase = request.header("ACCESS-PASSPHRASE"), !passphrase.isEmpty else {
            return refuse("40011", "ACCESS_PASSPHRASE cannot be empty", verdict: "bad-signature")
        }
        guard let credentials = core.credentials(exchange: "bitget", apiKey: key) else {
            return refuse("40006", "Invalid ACCESS_KEY", verdict: "unknown-key")
        }
        guard let timestampMs = Int64(timestamp) else { return refuse("40005", "Invalid ACCESS_TIMESTAMP", verdict: "expired") }
        if abs(now - timestampMs) > core.configuration.windows.bitgetMs {
            return refuse("40008", "Request timestamp expired", verdict: "expired")
        }
        guard passphrase == credentials.account.passphrase else {
            return refuse("40012", "apikey/password is incorrect", verdict: "bad-signature")
        }
        var queries = [request.query.raw]
        if request.query.decoded != request.query.raw { queries.append(request.query.decoded) }
        for query in queries {
            let prehash = timestamp + request.method + request.path + (query.isEmpty ? "" : "?" + query)
            var message = Array(prehash.utf8)
            message += request.body
            if DigestText.equal(DigestText.hmacSHA256Base64(key: credentials.key, message: message), signature) {
                return .accepted(credentials)
            }
        }
        return refuse("40009", "sign signature error", verdict: "bad-signature")
    }
}
