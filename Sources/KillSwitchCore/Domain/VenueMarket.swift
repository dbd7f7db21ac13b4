import Foundation
/// The market parameters fixed by a venue entry in the config (one entry = one venue account).
public struct VenueMarket: Sendable, Hashable, Codable {
    /// gate-futures: `usdt` or `btc` (lower case in the path).
    public var settle: String?
    /// bitget-mix: `USDT-FUTURES`, `COIN-FUTURES` or `USDC-FUTURES`.
    public var productType: String?
    /// bitget-mix: the margin coin, capitalised.
    public var marginCoin: String?
    /// htx-spot: the numeric spot account id.
    public var accountId: String?
    /// gate-spot: `spot` or `unified`, sent as `account` when set.
    public var gateAccount: String?

    public init(settle: String? = nil, productType: String? = nil, marginCoin: String? = nil, accountId: String? = nil, gateAccount: String? = nil) {
        self.settle = settle
        self.productType = productType
        self.marginCoin = marginCoin
        self.accountId = accountId
        self.gateAccount = gateAccount
    }
}

/// How a contract's size turns into notional (COIN-M contracts are a fixed USD amount each; Gate
/// futures sizes are contracts × multiplier).
public struct ContractSpec: Sendable, Hashable, Codable {
    public var multiplier: DecimalAmount
    public var inverse: Bool

    public init(multiplier: DecimalAmount, inverse: Bool) {
        self.multiplier = multiplier
        self.inverse = inverse
    }
}

/// API credentials for one venue account. `description` never shows more than the key's first 4 characters.
public struct VenueCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var apiKey: String
    public var secret: String
    public var passphrase: String?

    public init(apiKey: String, secret: String, passphrase: String? = nil) {
        self.apiKey = apiKey
        self.secret = secret
        self.passphrase = passphrase
    }

    /// The key as it may appear in logs and errors: its first 4 characters at most.
    public var redactedKey: String { Redaction.key(apiKey) }

    public var description: String { "credentials(key: \(redactedKey), secret: ***\(passphrase == nil ? "" : ", passphrase: ***"))" }
    public var debugDescription: String { description }
}

public enum Redaction {
    /// An API key shown as its first 4 characters at most.
    public static func key(_ key: String) -> String { String(key.prefix(4)) + "…" }

    /// A URL as it may be logged or shown: scheme, host and port only. Webhook services (Slack, Discord,
    /// Teams) carry their secret in the path, others in the query or user-info, so none of those is kept.
    public static func url(_ url: String) -> String {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host, !host.isEmpty else {
            return "<unparseable url>"
        }
        let port = components.port.map { ":\($0)" } ?? ""
        let rest = components.path.isEmpty || components.path == "/" ? "" : "/…"
        return "\(scheme)://\(host)\(port)\(rest)"
    }
}
