#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchConfig

/// `secrets_file = "${CREDENTIALS_DIRECTORY}/secrets.toml"`: the copy systemd's LoadCredential= makes for the
/// service (mode 0400, the service user's), expanded when credentials are resolved, errors naming the key and
/// the variable; and the secrets file's owner check.
@Suite struct CredentialDirectoryTests {
    static func directory() -> String {
        let path = NSTemporaryDirectory() + "ks-creds-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let twoVenues = """
        secrets_file = "${CREDENTIALS_DIRECTORY}/secrets.toml"

        [[venues]]
        id = "binance-main"
        kind = "binance-coinm"
        base_url = "https://dapi.binance.com"

        [[venues]]
        id = "htx-main"
        kind = "htx-spot"
        base_url = "https://api.huobi.pro"
        account_id = "1"
        """

    @Test func expansion() throws {
        #expect(try EnvironmentExpansion.expand("${CREDENTIALS_DIRECTORY}/secrets.toml", environment: ["CREDENTIALS_DIRECTORY": "/run/credentials/ks"])
                == "/run/credentials/ks/secrets.toml")
        #expect(try EnvironmentExpansion.expand("${A}-${B_2}", environment: ["A": "x", "B_2": "y"]) == "x-y")
        // Only the braced form: a bare `$` stays as it is.
        #expect(try EnvironmentExpansion.expand("/etc/$HOME/s.toml", environment: ["HOME": "/root"]) == "/etc/$HOME/s.toml")
        #expect(throws: EnvironmentExpansion.Problem.unset("CREDENTIALS_DIRECTORY")) {
            try EnvironmentExpansion.expand("${CREDENTIALS_DIRECTORY}/s.toml", environment: [:])
        }
        // Empty is unset: it would silently make the path /s.toml.
        #expect(throws: EnvironmentExpansion.Problem.unset("D")) { try EnvironmentExpansion.expand("${D}/s.toml", environment: ["D": ""]) }
        #expect(throws: EnvironmentExpansion.Problem.unterminated) { try EnvironmentExpansion.validate("${CREDENTIALS_DIRECTORY/s.toml") }
        #expect(throws: EnvironmentExpansion.Problem.invalidName("1X")) { try EnvironmentExpansion.validate("${1X}") }
        #expect(throws: EnvironmentExpansion.Problem.invalidName("A B")) { try EnvironmentExpansion.validate("${A B}") }
    }

    @Test func badSyntaxIsAParseErrorAtItsKey() {
        func issues(_ text: String) -> [String] {
            do {
                _ = try ConfigParser.parse(text)
                return []
            } catch {
                return error.issues.map(\.description)
            }
        }
        #expect(issues(Self.twoVenues.replacingOccurrences(of: "${CREDENTIALS_DIRECTORY}", with: "${CREDENTIALS_DIRECTORY")) == [
            #"secrets_file: "${" without a closing "}""#,
        ])
        let perVenue = Self.twoVenues.replacingOccurrences(of: "account_id = \"1\"", with: "account_id = \"1\"\ncredentials = { secrets_file = \"${bad name}/s.toml\" }")
        #expect(issues(perVenue) == [#"venues[1].credentials.secrets_file: "${bad name}" is not a variable name (letters, digits and _, not starting with a digit)"#])
    }

    @Test func unsetVariableNamesTheKeyAndTheVariableOnce() throws {
        let config = try ConfigParser.parse(Self.twoVenues, file: "/etc/killswitch/killswitch.toml")
        do {
            _ = try ConfigLoader.resolveCredentials(config, environment: [:])
            Issue.record("must fail")
        } catch {
            // One issue for the key both venues share, naming the variable and where it comes from.
            #expect(error.issues.map(\.description) == [
                #"secrets_file: "${CREDENTIALS_DIRECTORY}/secrets.toml": environment variable CREDENTIALS_DIRECTORY is not set (systemd sets it for a unit with LoadCredential=; outside systemd, set it or give a plain path)"#,
            ])
        }
    }

    /// What LoadCredential= leaves: a 0400 file owned by the service's user (here: us) in the directory the
    /// variable names. It passes the permission check and resolves every venue.
    @Test func aCredentialFileResolves() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "[binance-main]\nkey = \"bn-key-1\"\nsecret = \"bn-secret\"\n[htx-main]\nkey = \"htx-key\"\nsecret = \"htx-secret\"\n"
            .write(toFile: dir + "/secrets.toml", atomically: true, encoding: .utf8)
        chmod(dir + "/secrets.toml", 0o400)
        let config = try ConfigParser.parse(Self.twoVenues, file: "/etc/killswitch/killswitch.toml")
        let resolved = try ConfigLoader.resolveCredentials(config, environment: ["CREDENTIALS_DIRECTORY": dir])
        #expect(resolved["binance-main"]?.apiKey == "bn-key-1" && resolved["htx-main"]?.secret == "htx-secret")
    }

    /// The shipped example config and unit together: with the unit's credential in place, every venue of the
    /// example config has its keys (before, they came from environment variables the unit never set).
    @Test func theShippedExampleConfigResolvesFromTheUnitsCredential() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try ConfigLoader.load(path: root.appendingPathComponent("etc/killswitch.example.toml").path)
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let tables = config.venues.map(\.descriptor.id).map { "[\($0)]\nkey = \"key-\($0)\"\nsecret = \"s\"\npassphrase = \"p\"\n" }
        try tables.joined().write(toFile: dir + "/secrets.toml", atomically: true, encoding: .utf8)
        chmod(dir + "/secrets.toml", 0o400)
        let resolved = try ConfigLoader.resolveCredentials(config, environment: ["CREDENTIALS_DIRECTORY": dir])
        #expect(resolved.count == config.venues.count && config.venues.count == 5)
        // And without the credential (no systemd, no variable), the error says what is missing.
        #expect(throws: ConfigErrors.self) { try ConfigLoader.resolveCredentials(config, environment: [:]) }
    }

    @Test func theOwnerMustBeRootOrTheReader() throws {
        #expect(throws: Never.self) { try SecretsFile.checkOwner(path: "/s", owner: 0, reader: 1000) }
        #expect(throws: Never.self) { try SecretsFile.checkOwner(path: "/s", owner: 1000, reader: 1000) }
        do {
            try SecretsFile.checkOwner(path: "/s", owner: 4242, reader: 1000)
            Issue.record("another user's file must be refused")
        } catch {
            #expect(error.description.hasPrefix("secrets file /s belongs to uid 4242"))
            #expect(error.description.contains("not to root or to the user reading it (uid 1000"))
        }
    }

    /// As root: a 0400 file that belongs to someone else (nobody) is refused, naming the owner.
    @Test(.enabled(if: geteuid() == 0, "needs root to give the file to another user"))
    func anotherUsersFileIsRefused() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "[binance-main]\nkey = \"k\"\nsecret = \"very-secret\"\n".write(toFile: dir + "/secrets.toml", atomically: true, encoding: .utf8)
        chmod(dir + "/secrets.toml", 0o400)
        #expect(chown(dir + "/secrets.toml", 65534, 65534) == 0)
        do {
            _ = try SecretsFile.read(path: dir + "/secrets.toml")
            Issue.record("must be refused")
        } catch {
            #expect(error.description.contains("belongs to uid 65534"))
            #expect(!error.description.contains("very-secret"))
        }
    }
}
