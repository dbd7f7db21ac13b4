import Foundation
import KillSwitchCore

extension ConfigParser {
    static func parseVenue(_ t: TableReader, defaultSecretsFile: String?) -> VenueConfiguration? {
        let id = t.string("id", required: true)
        checkIdentifier(t, "id", id)
        let kindText = t.string("kind", required: true)
        var kind: VenueKind?
        if let kindText {
            kind = VenueKind(rawValue: kindText)
            if kind == nil { t.issue("kind", "unknown venue kind \"\(kindText)\"; expected one of \(VenueKind.allNames)") }
        }
        let account = t.string("account") ?? "main"
        let baseURL = t.string("base_url", required: true)
        if let baseURL {
            let url = URL(string: baseURL)
            if url?.scheme == nil || !["http", "https"].contains(url?.scheme ?? "") || url?.host == nil {
                t.issue("base_url", "\"\(baseURL)\" is not an http(s) URL")
            }
        }
        var market = VenueMarket()
        market.settle = t.string("settle")
        market.productType = t.string("product_type")
        market.marginCoin = t.string("margin_coin")
        market.accountId = t.string("account_id")
        market.gateAccount = t.string("gate_account")
        if let kind { checkMarket(t, kind: kind, market: market) }

        var contracts: [String: ContractSpec] = [:]
        if let table = t.table("contracts") {
            for symbol in table.entries.keys.sorted() {
                guard let spec = table.table(symbol) else { continue }
                let multiplier = spec.decimal("multiplier", required: true)
                if let multiplier, multiplier.isZero { spec.issue("multiplier", "must be greater than zero") }
                let inverse = spec.bool("inverse") ?? false
                spec.finish()
                if let multiplier { contracts[symbol] = ContractSpec(multiplier: multiplier, inverse: inverse) }
            }
            table.finish()
        }
        let timeout = t.duration("request_timeout") ?? .seconds(5)
        let enabled = t.bool("enabled") ?? true
        let uid = t.string("uid")
        if let uid, uid.isEmpty || uid.contains(where: \.isWhitespace) { t.issue("uid", "must be the venue's account id (non-empty, no spaces)") }
        // A disabled venue is never contacted and needs no credentials (any given are still checked).
        let credentials = enabled || t.has("credentials") ? parseCredentials(t, defaultSecretsFile: defaultSecretsFile) : nil
        let dms = t.table("dms").flatMap { table in kind.flatMap { parseCountdown(table, kind: $0) } }
        let keep = t.table("keep").flatMap(parseKeep)
        let strategy = parseStrategy(t)
        t.finish()
        guard let id, let kind, let baseURL, enabled == false || credentials != nil else { return nil }
        return VenueConfiguration(
            descriptor: VenueDescriptor(id: id, kind: kind, account: account, baseURL: baseURL, market: market, contracts: contracts, uid: uid, enabled: enabled,
                                        keep: keep, strategy: strategy),
            credentials: credentials, requestTimeout: timeout, dms: dms
        )
    }

    /// Per-kind market keys: required where the venue needs them, refused where they mean nothing.
    static func checkMarket(_ t: TableReader, kind: VenueKind, market: VenueMarket) {
        let allowed: [VenueKind: Set<String>] = [
            .gateFutures: ["settle"], .gateSpot: ["gate_account"], .htxSpot: ["account_id"],
            .bitgetMix: ["product_type", "margin_coin"], .binanceCoinM: [],
        ]
        let given: [(String, String?)] = [
            ("settle", market.settle), ("product_type", market.productType), ("margin_coin", market.marginCoin),
            ("account_id", market.accountId), ("gate_account", market.gateAccount),
        ]
        for (key, value) in given where value != nil && !(allowed[kind]?.contains(key) ?? false) {
            t.issue(key, "does not apply to kind \(kind.rawValue)")
        }
        switch kind {
        case .gateFutures:
            if let settle = market.settle {
                if !["usdt", "btc"].contains(settle) { t.issue("settle", "\"\(settle)\" must be \"usdt\" or \"btc\" (lower case, as in the path)") }
            } else {
                t.issue("settle", "missing (required for gate-futures: \"usdt\" or \"btc\")")
            }
        case .gateSpot:
            // Without `account`, Gate's spot listing and cancel-all reach spot, margin and unified orders alike:
            // wider than any scope can say, so the account is required.
            if let account = market.gateAccount {
                if !["spot", "margin", "unified"].contains(account) { t.issue("gate_account", "\"\(account)\" must be \"spot\", \"margin\" or \"unified\"") }
            } else {
                t.issue("gate_account", "missing (required for gate-spot: \"spot\", \"margin\" or \"unified\" — without it Gate lists and cancels every spot account's orders)")
            }
        case .htxSpot:
            if let id = market.accountId {
                if !id.allSatisfy(\.isNumber) { t.issue("account_id", "\"\(id)\" must be HTX's numeric spot account id") }
            } else {
                t.issue("account_id", "missing (required for htx-spot: the numeric spot account id, so cancel-all never reaches other accounts)")
            }
        case .bitgetMix:
            let types = ["USDT-FUTURES", "COIN-FUTURES", "USDC-FUTURES"]
            if let type = market.productType {
                if !types.contains(type) { t.issue("product_type", "\"\(type)\" must be one of \(types.joined(separator: ", "))") }
            } else {
                t.issue("product_type", "missing (required for bitget-mix: one of \(types.joined(separator: ", ")))")
            }
            if let coin = market.marginCoin {
                if coin != coin.uppercased() { t.issue("margin_coin", "\"\(coin)\" must be capitalised (Bitget requires it), e.g. \"\(coin.uppercased())\"") }
            } else {
                t.issue("margin_coin", "missing (required for bitget-mix, e.g. \"USDT\")")
            }
        case .binanceCoinM:
            break
        }
    }

    static func parseCredentials(_ t: TableReader, defaultSecretsFile: String?) -> CredentialSource? {
        // Secrets must never sit in the main config: catch the obvious mistake by name.
        for forbidden in ["key", "secret", "passphrase", "api_key", "api_secret"] where t.has(forbidden) {
            _ = t.node(forbidden)
            t.issue(forbidden, "secrets are never written in the main config: use credentials = { key_env, secret_env } or a secrets file")
        }
        guard let table = t.table("credentials") else {
            if let file = defaultSecretsFile { return .secretsFile(path: file, key: "secrets_file") }
            t.issue("credentials", "missing: give { key_env = \"…\", secret_env = \"…\" } or { secrets_file = \"…\" }, or a top-level secrets_file")
            return nil
        }
        for forbidden in ["key", "secret", "passphrase"] where table.has(forbidden) {
            _ = table.node(forbidden)
            table.issue(forbidden, "secrets are never written in the main config: name an environment variable (\(forbidden)_env) or use secrets_file")
        }
        let file = table.string("secrets_file")
        if let file { checkExpansion(table, "secrets_file", file) }
        let key = table.string("key_env")
        let secret = table.string("secret_env")
        let passphrase = table.string("passphrase_env")
        table.finish()
        if let file {
            if key != nil || secret != nil || passphrase != nil {
                table.issue("secrets_file", "give either secrets_file or key_env/secret_env, not both")
                return nil
            }
            return .secretsFile(path: file, key: table.keyPath("secrets_file"))
        }
        guard let key, let secret else {
            if key == nil { table.issue("key_env", "missing (or give secrets_file)") }
            if secret == nil { table.issue("secret_env", "missing (or give secrets_file)") }
            return nil
        }
        return .environment(keyVariable: key, secretVariable: secret, passphraseVariable: passphrase)
    }
}
