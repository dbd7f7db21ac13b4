import Crypto
import Foundation

/// How a receiver knows a webhook came from this daemon and is fresh: `X-Killswitch-Timestamp` (Unix
/// seconds at the attempt) and `X-Killswitch-Signature: sha256=<hex>`, the HMAC-SHA256 under the webhook's
/// `secret_env` key of `timestamp + "." + body`. Signing the timestamp with the body lets a receiver refuse
/// replays (docs/alerting.md tells it to refuse anything older than 5 minutes); each retry is signed anew,
/// so a notification retried for minutes still arrives fresh.
enum WebhookSignature {
    static let signatureHeader = "X-Killswitch-Signature"
    static let timestampHeader = "X-Killswitch-Timestamp"

    /// `sha256=` and the lowercase hex HMAC of `"<timestamp>.<body>"`.
    static func sign(body: Data, timestamp: Int64, key: SymmetricKey) -> String {
        var message = Data("\(timestamp).".utf8)
        message.append(body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "sha256=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    /// The two headers for one attempt.
    static func headers(body: Data, timestamp: Int64, key: SymmetricKey) -> [(String, String)] {
        [(timestampHeader, String(timestamp)), (signatureHeader, sign(body: body, timestamp: timestamp, key: key))]
    }
}
