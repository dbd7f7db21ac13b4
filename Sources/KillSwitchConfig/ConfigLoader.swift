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

    /// Resolves every venue's credentials from the environment or secrets files. Errors name the venue and
    /// the variable or file, never a secret.
    public static func resolveCredentials(
        _ config: KillSwitchConfiguration,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigErrors) -> [String: VenueCredentials] {
        var issues: [ConfigIssue] = []
        var resolved: [String: VenueCredentials] = [:]
        var files: [String: [String: SecretsFile.Entry]] = [:]
        let baseDirectory = config.sourcePath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path } ?? FileManager.default.currentDirectoryPath
        for (index, venue) in config.venues.enumerated() {
            let path = "venues[\(index)].credentials"
            let id = venue.descriptor.id
            let needsPassphrase = venue.descriptor.kind == .bitgetMix
            switch venue.credentials {
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
                        continue
                    }
                }
                guard let entry = files[absolute]?[id] else {
                    if files[absolute]?.isEmpty == false {
                        issues.append(ConfigIssue(path: path, message: "secrets file \(absolute) has no [\(id)] table"))
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

    static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, let posix = POSIXErrorCode(rawValue: Int32(underlying.code)) {
            return String(cString: strerror(posix.rawValue))
        }
        return nsError.localizedDescription
    }
}
