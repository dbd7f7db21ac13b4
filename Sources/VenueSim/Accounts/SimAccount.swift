/// One API key the simulator accepts, for one exchange.
///
/// `exchange` is `gate`, `htx`, `bitget` or `binance`. `passphrase` is Bitget's; `accountId` is HTX's spot
/// account id; `uid` is the venue account the key belongs to (reported as Gate's `user_id`). In an accounts
/// file `uid` and `accountId` may be JSON strings or numbers.
///
/// Venues keep orders, cancel-alls, countdowns and rate limits per account (UID), not per API key: two keys
/// with the same `uid` on one exchange see and cancel each other's orders and share one rate-limit pool.
/// Without `uid` each key is an account of its own.
///
/// `readOnly`: the key may read but not trade or cancel (see `ReadOnlyKeys` for each venue's refusal).
public struct SimAccount: Sendable, Codable, Hashable {
    public var exchange: String
    public var apiKey: String
    public var secret: String
    public var passphrase: String?
    public var uid: String?
    public var accountId: String?
    public var readOnly: Bool

    public init(
        exchange: String,
        apiKey: String,
        secret: String,
        passphrase: String? = nil,
        uid: String? = nil,
        accountId: String? = nil,
        readOnly: Bool = false
    ) {
        self.exchange = exchange
        self.apiKey = apiKey
        self.secret = secret
        self.passphrase = passphrase
        self.uid = uid
        self.accountId = accountId
        self.readOnly = readOnly
    }

    enum CodingKeys: String, CodingKey {
        case exchange, apiKey, secret, passphrase, uid, accountId, readOnly
    }

    /// The venue account this key acts for: its `uid`, or the key itself when no uid is configured.
    var owner: String {
        if let uid, !uid.isEmpty { return "uid:\(uid)" }
        return "key:\(apiKey)"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        exchange = try container.decode(String.self, forKey: .exchange)
        apiKey = try container.decode(String.self, forKey: .apiKey)
        secret = try container.decode(String.self, forKey: .secret)
        passphrase = try container.decodeIfPresent(String.self, forKey: .passphrase)
        uid = try container.decodeLenientStringIfPresent(forKey: .uid)
        accountId = try container.decodeLenientStringIfPresent(forKey: .accountId)
        readOnly = try container.decodeIfPresent(Bool.self, forKey: .readOnly) ?? false
    }

    /// The exchanges the simulator serves.
    public static let exchanges: [String] = ["gate", "htx", "bitget", "binance"]

    /// One account per exchange with the credentials of docs/venues.md's golden vectors.
    public static let demoAccounts: [SimAccount] = [
        SimAccount(exchange: "gate", apiKey: "test-api-key", secret: "test-api-secret", uid: "10001"),
        SimAccount(exchange: "htx", apiKey: "test-api-key", secret: "test-api-secret", uid: "10001", accountId: "100009"),
        SimAccount(
            exchange: "bitget", apiKey: "test-api-key", secret: "test-api-secret",
            passphrase: "test-passphrase", uid: "10001"
        ),
        SimAccount(exchange: "binance", apiKey: "test-api-key", secret: "test-api-secret", uid: "10001"),
    ]
}

extension KeyedDecodingContainer {
    /// Accepts `"123"` or `123` (ids and quantities arrive both ways from hand-written JSON).
    func decodeLenientStringIfPresent(forKey key: Key) throws -> String? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        if let text = try? decode(String.self, forKey: key) { return text }
        if let integer = try? decode(Int64.self, forKey: key) { return String(integer) }
        if let number = try? decode(Double.self, forKey: key) { return String(number) }
        throw DecodingError.typeMismatch(
            String.self,
            .init(codingPath: codingPath + [key], debugDescription: "expected a string or a number for \(key.stringValue)")
        )
    }

    func decodeLenientString(forKey key: Key) throws -> String {
        guard let value = try decodeLenientStringIfPresent(forKey: key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing \(key.stringValue)"))
        }
        return value
    }
}
