import Crypto
import Foundation

// Request signing written in test code from docs/venues.md (never from the adapters or the simulator), and pinned
// to docs/venues.md's golden vectors in GoldenVectorTests.

enum TestCredentials {
    static let key = "test-api-key"
    static let secret = "test-api-secret"
    static let passphrase = "test-passphrase"
    /// Another key of the demo account's uid (10001), and a key of another account (uid 20002).
    static let secondKey = "test-api-key-2"
    static let otherAccountKey = "other-account-key"
    /// 2023-11-14T22:13:20Z, the vectors' time.
    static let vectorTimeMs: Int64 = 1_700_000_000_000
}

enum Hex {
    static func string<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// Gate APIv4: hex(HMAC-SHA512(secret, METHOD\n/api/v4/path\nquery\nhex(SHA512(body))\nTimestamp)).
enum GateSigner {
    static func sign(secret: String = TestCredentials.secret, method: String, path: String, query: String = "", body: String = "", timestamp: String) -> String {
        let bodyHash = Hex.string(SHA512.hash(data: Array(body.utf8)))
        let message = "\(method)\n\(path)\n\(query)\n\(bodyHash)\n\(timestamp)"
        return Hex.string(HMAC<SHA512>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(secret.utf8))))
    }

    static func headers(method: String, path: String, query: String = "", body: String = "", timestamp: String, key: String = TestCredentials.key, secret: String = TestCredentials.secret) -> [(String, String)] {
        [
            ("KEY", key), ("Timestamp", timestamp),
            ("SIGN", sign(secret: secret, method: method, path: path, query: query, body: body, timestamp: timestamp)),
            ("Content-Type", "application/json"),
        ]
    }
}

/// HTX Signature V2: base64(HMAC-SHA256(secret, METHOD\nhost\npath\ncanonical)), canonical = sorted, %XX upper-case.
enum HTXSigner {
    static func encode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            let scalar = Unicode.Scalar(byte)
            if CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~").contains(scalar) {
                output.unicodeScalars.append(scalar)
            } else {
                output += String(format: "%%%02X", byte)
            }
        }
        return output
    }

    static func timestamp(ms: Int64) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
    }

    static func canonical(_ params: [(String, String)]) -> String {
        params.map { (encode($0.0), encode($0.1)) }.sorted { $0.0 < $1.0 }.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    static func signature(method: String, host: String, path: String, canonical: String, secret: String = TestCredentials.secret) -> String {
        let message = "\(method)\n\(host)\n\(path)\n\(canonical)"
        return Data(HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(secret.utf8)))).base64EncodedString()
    }

    /// The full signed query string (auth params + `params`, then `Signature`).
    static func signedQuery(method: String, host: String, path: String, params: [(String, String)] = [], timestampMs: Int64 = TestCredentials.vectorTimeMs, key: String = TestCredentials.key, secret: String = TestCredentials.secret) -> String {
        let all = params + [
            ("AccessKeyId", key), ("SignatureMethod", "HmacSHA256"), ("SignatureVersion", "2"), ("Timestamp", timestamp(ms: timestampMs)),
        ]
        let canonical = canonical(all)
        return canonical + "&Signature=" + encode(signature(method: method, host: host, path: path, canonical: canonical, secret: secret))
    }
}

/// Bitget: base64(HMAC-SHA256(secret, timestamp + METHOD + path [+ "?" + query] + body)).
enum BitgetSigner {
    static func sign(secret: String = TestCredentials.secret, timestamp: String, method: String, path: String, query: String = "", body: String = "") -> String {
        let prehash = timestamp + method + path + (query.isEmpty ? "" : "?" + query) + body
        return Data(HMAC<SHA256>.authenticationCode(for: Array(prehash.utf8), using: SymmetricKey(data: Array(secret.utf8)))).base64EncodedString()
    }

    static func headers(method: String, path: String, query: String = "", body: String = "", timestampMs: Int64, key: String = TestCredentials.key, passphrase: String = TestCredentials.passphrase) -> [(String, String)] {
        let timestamp = String(timestampMs)
        return [
            ("ACCESS-KEY", key), ("ACCESS-SIGN", sign(timestamp: timestamp, method: method, path: path, query: query, body: body)),
            ("ACCESS-TIMESTAMP", timestamp), ("ACCESS-PASSPHRASE", passphrase), ("Content-Type", "application/json"),
        ]
    }
}

/// Binance: hex(HMAC-SHA256(secret, totalParams)), totalParams = the encoded query (+ body) as sent.
enum BinanceSigner {
    static func sign(secret: String = TestCredentials.secret, _ totalParams: String) -> String {
        Hex.string(HMAC<SHA256>.authenticationCode(for: Array(totalParams.utf8), using: SymmetricKey(data: Array(secret.utf8))))
    }

    static func signedQuery(_ params: String) -> String {
        params + "&signature=" + sign(params)
    }
}
