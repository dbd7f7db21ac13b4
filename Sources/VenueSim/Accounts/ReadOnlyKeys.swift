/// A read-only API key (`SimAccount.readOnly`): the venue signs it in and lets it read, and refuses it every
/// call that changes state — cancels, cancel-alls, dead-man switches — with that venue's permission error.
///
/// Which calls are writes follows Gate's rule, stated in its APIv4 docs ("All GET operations are read requests,
/// while others are write requests"), and is taken to hold for the other three as well. The answers:
/// - Gate: label `READ_ONLY` (gate-doc label list; ccxt maps it to PermissionDenied). HTTP 403 is UNVERIFIED.
/// - HTX: `api-signature-not-valid` "Signature not valid: API key has no permission" — the answer ccxt 4.5.90
///   records for a key without the permission (htx.py exceptions); the v2 shape for /v2 paths is UNVERIFIED.
/// - Bitget: `40014` "Incorrect permissions" (Bitget error list; ccxt PermissionDenied). HTTP 400 is UNVERIFIED.
/// - Binance: `-2015` "Invalid API-key, IP, or permissions for action." with HTTP 401 (Binance error list), the
///   same answer as for an unknown key.
enum ReadOnlyKeys {
    static func refusal(exchange: String, request: VenueRequest, credentials: AccountCredentials) -> VenueReply? {
        guard credentials.account.readOnly, request.method != "GET" else { return nil }
        let key = credentials.account.apiKey
        switch exchange {
        case "gate":
            return GateErrors.reply(status: 403, label: "READ_ONLY", message: "API key is read-only", verdict: "read-only", account: key)
        case "htx":
            let message = "Signature not valid: API key has no permission [API Key没有权限]"
            return request.path.hasPrefix("/v2/")
                ? HTXErrors.v2(1003, message, verdict: "read-only", account: key)
                : HTXErrors.v1("api-signature-not-valid", message, verdict: "read-only", account: key)
        case "bitget":
            return BitgetErrors.reply(status: 400, code: "40014", message: "Incorrect permissions", verdict: "read-only", account: key,
                                      now: request.receivedAtMs)
        case "binance":
            return BinanceErrors.reply(status: 401, code: -2015, message: "Invalid API-key, IP, or permissions for action.",
                                       verdict: "read-only", account: key)
        default:
            return nil
        }
    }
}
