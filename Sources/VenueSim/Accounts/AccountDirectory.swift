import Crypto
import Foundation

/// A configured account with its HMAC key prepared once.
struct AccountCredentials: Sendable {
    let account: SimAccount
    let key: SymmetricKey

    /// The venue account (uid) the key acts for; see `SimAccount.owner`.
    let owner: String

    init(_ account: SimAccount) {
        self.account = account
        self.owner = account.owner
        self.key = SymmetricKey(data: Array(account.secret.utf8))
    }
}

/// Looks accounts up by exchange and API key.
struct AccountDirectory: Sendable {
    private let byExchange: [String: [String: AccountCredentials]]

    init(_ accounts: [SimAccount]) {
        var byExchange: [String: [String: AccountCredentials]] = [:]
        for account in accounts {
            byExchange[account.exchange, default: [:]][account.apiKey] = AccountCredentials(account)
        }
        self.byExchange = byExchange
    }

    func credentials(exchange: String, apiKey: String) -> AccountCredentials? {
        byExchange[exchange]?[apiKey]
    }

    /// Every key of `exchange` that acts for `owner` (a uid shared by several keys).
    func keys(exchange: String, owner: String) -> [AccountCredentials] {
        (byExchange[exchange] ?? [:]).values.filter { $0.owner == owner }
    }
}
