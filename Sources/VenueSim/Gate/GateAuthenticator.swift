import Foundation

/// Gate APIv4 signing, checked from docs/venues.md 1a:
/// `SIGN = hex(HMAC-SHA512(secret, METHOD\n/api/v4/path\nquery\nhex(SHA512(body))\nTimestamp))`.
///
/// The body hash is over the raw bytes received. The query is signed decoded (ccxt, the SDK); the raw form
/// is accepted too (identical for ordinary values). `Timestamp` may be fractional seconds (the official SDK
/// sends `1700000000.123`) and must be within ±60 s; `x-gate-exptime` (ms) must not have passed.
/// Both clock refusals answer 401 `REQUEST_EXPIRED` (the label for a passed `x-gate-exptime` is UNVERIFIED).
enum GateAuthenticator {
    static func authenticate(_ request: VenueRequest, core: SimCore) -> Authentication {
        guard let key = request.header(SimHTTPField.gateKey), let timestampText = request.header(SimHTTPField.gateTimestamp),
            let signature = request.header(SimHTTPField.gateSign)
        else {
            let missing = ["KEY", "Timestamp", "SIGN"].first { request.header($0) == nil } ?? "KEY"
            return .refused(
                GateErrors.reply(
                    status: 401, label: "MISSING_REQUIRED_HEADER", message: "Missing required header: \(missing)",
                    verdict: "bad-signature", account: request.header("KEY")
                )
            )
        }
        guard let credentials = core.credentials(exchange: "gate", apiKey: key) else {
            return .refused(GateErrors.reply(status: 401, label: "INVALID_KEY", message: "Invalid key provided", verdict: "unknown-key", account: key))
        }
        let now = request.receivedAtMs
        guard let seconds = Double(timestampText), seconds.isFinite else {
            return .refused(
                GateErrors.reply(status: 401, label: "REQUEST_EXPIRED", message: "Invalid Timestamp \(timestampText)", verdict: "expired", account: key)
            )
        }
        let timestampMs = Int64((seconds * 1000).rounded())
        if abs(now - timestampMs) > core.configuration.windows.gateMs {
            return .refused(
                GateErrors.reply(
                    status: 401, label: "REQUEST_EXPIRED",
                    message: "gap between request Timestamp and server time exceeds \(core.configuration.windows.gateMs / 1000)",
                    verdict: "expired", account: key
                )
            )
        }
        if let expiry = request.header(SimHTTPField.gateExpTime), let expiryMs = Int64(expiry), now > expiryMs {
            return .refused(
                GateErrors.reply(
                    status: 401, label: "REQUEST_EXPIRED", message: "Request expired: x-gate-exptime \(expiry) has passed",
                    verdict: "expired", account: key
                )
            )
        }
        // METHOD\npath\nquery\nhex(SHA512(body))\nTimestamp, written as bytes (the body hash once for both query forms).
        var bodyHash: [UInt8] = []
        DigestText.appendSHA512Hex(of: request.body, to: &bodyHash)
        let raw = request.query.raw
        let decoded = request.query.decoded
        let queries = raw == decoded ? [raw] : [decoded, raw]
        for query in queries {
            var message: [UInt8] = []
            message.reserveCapacity(request.method.utf8.count + request.path.utf8.count + query.utf8.count + bodyHash.count + timestampText.utf8.count + 4)
            message.append(contentsOf: request.method.utf8)
            message.append(UInt8(ascii: "\n"))
            message.append(contentsOf: request.path.utf8)
            message.append(UInt8(ascii: "\n"))
            message.append(contentsOf: query.utf8)
            message.append(UInt8(ascii: "\n"))
            message.append(contentsOf: bodyHash)
            message.append(UInt8(ascii: "\n"))
            message.append(contentsOf: timestampText.utf8)
            if DigestText.hmacSHA512HexMatches(key: credentials.key, message: message, expected: signature) {
                return .accepted(credentials)
            }
        }
        return .refused(GateErrors.reply(status: 401, label: "INVALID_SIGNATURE", message: "Signature mismatch", verdict: "bad-signature", account: key))
    }
}
