import Crypto
import Foundation

/// A configured account with its HMAC key prepared once.
struct AccountCredentials: Sendable {
    let account: SimAccount
    let key: SymmetricKey

    init(_ account: SimAccount) {
        self.account = account
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
}
