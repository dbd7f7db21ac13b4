import Crypto
import Foundation

/// A venue account's identity when the config gives no `uid`: derived from the API key, so two entries
/// with the same key are recognised as one account. A one-way digest: the key itself never appears.
public enum VenueIdentity {
    public static func derivedUID(apiKey: String) -> String {
        let digest = SHA256.hash(data: Data(apiKey.utf8))
        return "key:" + digest.prefix(6).map { String(format: "%02x", $0) }.joined()
    }
}
