import Foundation
import KillSwitchCore

/// Reads the configuration file and resolves credentials: the one loader used by `run`, `config check`
/// and `demo`.
public enum ConfigLoader {
    public static func load(path: String) throws(ConfigErrors) -> KillSwitchConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigErrors(file: path, issues: [ConfigIssue(path: "", message: "cannot read the configuration file: \(describe(error))")])
        }
        return try ConfigParser.parse(text, file: path)
    }

    /// What `run`, `config check` and `demo` need before starting: every enabled venue's credentials, and the
    /// venue accounts they identify (uids filled, no two entries on one account and market).
    public static func resolve(_ config: KillSwitchConfiguration, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(ConfigErrors) -> (configuration: KillSwitchConfiguration, credentials: [String: VenueCredentials]) {
        let credentials = try resolveCredentials(config, environment: environment)
        var resolved = config
        try resolveAccounts(&resolved, credentials: credentials)
        try checkWebhookSecrets(config, environment: environment)
        return (resolved, credentials)
    }

    /// Every `[[notify]]` variable that is named must be set: a webhook signed with an empty key, or a
    /// PagerDuty event without its routing key, would be refused by its receiver at the worst moment.
    /// Values are read again by the notifier; nothing here is printed but the variable's name.
    public static func checkWebhookSecrets(_ config: KillSwitchConfiguration, environment: [String: String]) throws(ConfigErrors) {
        var issues: [ConfigIssue] = []
        for (index, target) in config.notify.enumerated() {
            for (key, variable) in [("secret_env", target.secretEnv), ("routing_key_env", target.routingKeyEnv)] {
                guard let variable else { continue }
                if environment[variable].map({ $0.isEmpty }) ?? true {
                    issues.append(ConfigIssue(path: "notify[\(index)].\(key)", message: "environment variable \(variable) is not set"))
                }
            }
        }
        if !issues.isEmpty { throw ConfigErrors(file: config.sourcePath ?? "config", issues: issues) }
    }

    /// Resolves every venue's credentials from the environment or secrets files. Errors name the venue and
    /// the variable or file, never a secret.
    public static func resolveCredentials(
        _ config: KillSwitchConfiguration,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigErrors) -> [String: VenueCredentials] {
        var issues: [ConfigIssue] = []
        var resolved: [String: VenueCredentials] = [:]
        var files: [String: [String: SecretsFile.Entry]] = [:]
        var readFailed: Set<String> = []
        let baseDirectory = config.sourcePath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? FileManager.default.currentDirectoryPath
        for (index, venue) in config.venues.enumerated() {
            let path = "venues[\(index)].credentials"
            let id = venue.descriptor.id
            let needsPassphrase = venue.descriptor.kind == .bitgetMix
            guard venue.descriptor.enabled, let source = venue.credentials else { continue }
            switch source {
            case .environment(let keyVariable, let secretVariable, let passphraseVariable):
                let key = environment[keyVariable].flatMap { $0.isEmpty ? nil : $0 }
                let secret = environment[secretVariable].flatMap { $0.isEmpty ? nil : $0 }
                let passphrase = passphraseVariable.flatMap { environment[$0] }.flatMap { $0.isEmpty ? nil : $0 }
                if key == nil { issues.append(ConfigIssue(path: "\(path).key_env", message: "environment variable \(keyVariable) is not set")) }
                if secret == nil { issues.append(ConfigIssue(path: "\(path).secret_env", message: "environment variable \(secretVariable) is not set")) }
                if needsPassphrase && passphrase == nil {
                    issues.append(ConfigIssue(path: "\(path).passphrase_env", message: passphraseVariable.map { "environment variable \($0) is not set" } ?? "missing: bitget-mix needs a passphrase"))
                }
                if let key, let secret { resolved[id] = VenueCredentials(apiKey: key, secret: secret, passphrase: passphrase) }
            case .secretsFile(let configured, let key):
                let file: String
                do {
                    file = try EnvironmentExpansion.expand(configured, environment: environment)
                } catch {
                    // One issue per key, however many venues share the top-level secrets_file.
                    let issue = ConfigIssue(path: key, message: "\"\(configured)\": \(error.description)")
                    if !issues.contains(issue) { issues.append(issue) }
                    continue
                }
                let absolute = file.hasPrefix("/") ? file : baseDirectory + "/" + file
                if files[absolute] == nil {
                    do {
                        files[absolute] = try SecretsFile.read(path: absolute)
                    } catch {
                        issues.append(ConfigIssue(path: path, message: error.description))
                        files[absolute] = [:]
                        readFailed.insert(absolute)
                        continue
                    }
                }
                guard let entry = files[absolute]?[id] else {
                    // Whether the file has other tables, none, or only comments: a venue without its keys
                    // would be silently left out of every trip.
                    if files[absolute] != nil, !readFailed.contains(absolute) {
                        issues.append(ConfigIssue(path: path, message: "secrets file \(absolute) has no [\(id)] table (every enabled venue needs its key and secret; set enabled = false to leave a venue out)"))
                    }
                    continue
                }
                if needsPassphrase && entry.passphrase == nil {
                    issues.append(ConfigIssue(path: path, message: "secrets file \(absolute): [\(id)] needs passphrase (bitget-mix)"))
                }
                resolved[id] = VenueCredentials(apiKey: entry.key, secret: entry.secret, passphrase: entry.passphrase)
            }
        }
        if !issues.isEmpty { throw ConfigErrors(file: config.sourcePath ?? "config", issues: issues) }
        return resolved
    }

    /// Fills each enabled venue's `uid` (the config's, else derived from its API key) and refuses two entries
    /// on one venue account and market: a listing or cancel-all of one would reach the other's orders, so a
    /// trip scoped to one entry would cancel the other's. Then checks the countdowns (`dms`): every entry one
    /// reaches enables it too, and their refreshes fit their budget (`CountdownPlan`).
    public static func resolveAccounts(_ config: inout KillSwitchConfiguration, credentials: [String: VenueCredentials]) throws(ConfigErrors) {
        var seen: [String: (index: Int, id: String)] = [:]
        var issues: [ConfigIssue] = []
        for index in config.venues.indices {
            var descriptor = config.venues[index].descriptor
            guard descriptor.enabled else { continue }
            if descriptor.uid == nil, let key = credentials[descriptor.id]?.apiKey {
                descriptor.uid = VenueIdentity.derivedUID(apiKey: key)
            }
            config.venues[index].descriptor = descriptor
            guard let uid = descriptor.uid else { continue }
            let key = "\(descriptor.kind.exchange)|\(uid)|\(descriptor.marketKey)"
            if let first = seen[key] {
                issues.append(ConfigIssue(path: "venues[\(index)].uid", message: "venues \(first.id) and \(descriptor.id) are the same venue account (uid \(uid)) and market (\(descriptor.marketKey)): the venue lists and cancels per account, so a trip of one would cancel the other's orders; keep one entry"))
            } else {
                seen[key] = (index, descriptor.id)
            }
        }
        // Countdowns (`dms`) reach whole venue accounts: checked once the accounts are known.
        if issues.isEmpty { issues = CountdownPlan.reachIssues(config) + CountdownPlan.budgetIssues(config) }
        if !issues.isEmpty { throw ConfigErrors(file: config.sourcePath ?? "config", issues: issues) }
    }

    static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, let posix = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(posix.rawValue))
        }
        return nsError.localizedDescription
    }
}
