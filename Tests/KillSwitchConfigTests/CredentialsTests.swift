import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchConfig

@Suite struct CredentialsTests {
    static func directory() -> String {
        let path = NSTemporaryDirectory() + "ks-cred-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let config = """
        [[venues]]
        id = "bitget-main"
        kind = "bitget-mix"
        base_url = "https://api.bitget.com"
        product_type = "USDT-FUTURES"
        margin_coin = "USDT"
        credentials = { secrets_file = "secrets.toml" }

        [[venues]]
        id = "binance-main"
        kind = "binance-coinm"
        base_url = "https://dapi.binance.com"
        credentials = { key_env = "BN_KEY", secret_env = "BN_SECRET" }
        """

    func write(_ dir: String, secrets: String, mode: Int) throws -> KillSwitchConfiguration {
        try Self.config.write(toFile: dir + "/killswitch.toml", atomically: true, encoding: .utf8)
        try secrets.write(toFile: dir + "/secrets.toml", atomically: true, encoding: .utf8)
        chmod(dir + "/secrets.toml", mode_t(mode))
        return try ConfigLoader.load(path: dir + "/killswitch.toml")
    }

    @Test func resolvesFromEnvironmentAndSecretsFile() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try write(dir, secrets: "[bitget-main]\nkey = \"bg-key-1\"\nsecret = \"bg-secret\"\npassphrase = \"pp\"\n", mode: 0o600)
        let resolved = try ConfigLoader.resolveCredentials(config, environment: ["BN_KEY": "bn-key-123", "BN_SECRET": "bn-secret"])
        #expect(resolved["bitget-main"] == VenueCredentials(apiKey: "bg-key-1", secret: "bg-secret", passphrase: "pp"))
        #expect(resolved["binance-main"]?.apiKey == "bn-key-123")
        #expect("\(resolved["binance-main"]!)" == "credentials(key: bn-k…, secret: ***)")
    }

    /// Owner-only modes pass: 0600 as installed by hand, 0400 as systemd's LoadCredential= copy is.
    @Test(arguments: [0o600, 0o400])
    func ownerOnlySecretsFilePasses(mode: Int) throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try write(dir, secrets: "[bitget-main]\nkey = \"k\"\nsecret = \"s\"\npassphrase = \"pp\"\n", mode: mode)
        #expect(try ConfigLoader.resolveCredentials(config, environment: ["BN_KEY": "a", "BN_SECRET": "b"]).count == 2)
    }

    @Test(arguments: [0o640, 0o604, 0o644, 0o660])
    func secretsFileReadableByOthersIsRefused(mode: Int) throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try write(dir, secrets: "[bitget-main]\nkey = \"k\"\nsecret = \"very-secret\"\npassphrase = \"pp\"\n", mode: mode)
        do {
            _ = try ConfigLoader.resolveCredentials(config, environment: ["BN_KEY": "a", "BN_SECRET": "b"])
            Issue.record("mode \(String(mode, radix: 8)) must be refused")
        } catch {
            let text = error.description
            #expect(text.contains("venues[0].credentials: secrets file \(dir)/secrets.toml is accessible by group or others (mode \(String(mode, radix: 8))); run: chmod 600"))
            #expect(!text.contains("very-secret"))
        }
    }

    @Test func missingEnvironmentVariablesAreNamed() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let config = try write(dir, secrets: "[bitget-main]\nkey = \"k\"\nsecret = \"s\"\n", mode: 0o600)
        do {
            _ = try ConfigLoader.resolveCredentials(config, environment: [:])
            Issue.record("must fail")
        } catch {
            #expect(error.issues.map(\.description) == [
                "venues[0].credentials: secrets file \(dir)/secrets.toml: [bitget-main] needs passphrase (bitget-mix)",
                "venues[1].credentials.key_env: environment variable BN_KEY is not set",
                "venues[1].credentials.secret_env: environment variable BN_SECRET is not set",
            ])
        }
    }
}

/// Every configured venue resolves its keys or the config is refused naming it: a venue silently left without
/// a client would be left out of every trip, and an incident without it could end `flat`.
@Suite struct EveryVenueHasItsKeysTests {
    func write(secrets: String, extraVenue: String = "") throws -> (KillSwitchConfiguration, String) {
        let dir = CredentialsTests.directory()
        try (CredentialsTests.config + extraVenue).write(toFile: dir + "/killswitch.toml", atomically: true, encoding: .utf8)
        try secrets.write(toFile: dir + "/secrets.toml", atomically: true, encoding: .utf8)
        chmod(dir + "/secrets.toml", 0o600)
        return (try ConfigLoader.load(path: dir + "/killswitch.toml"), dir)
    }

    @Test(arguments: ["", "# keys go here one day\n\n# [bitget-main]\n", "[someone-else]\nkey = \"k\"\nsecret = \"s\"\n"])
    func aSecretsFileWithoutTheVenuesTableIsAnErrorNamingIt(secrets: String) throws {
        let (config, dir) = try write(secrets: secrets)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try ConfigLoader.resolve(config, environment: ["BN_KEY": "a", "BN_SECRET": "b"])
            Issue.record("a venue without keys must be refused")
        } catch {
            #expect(error.description.contains("venues[0].credentials: secrets file \(dir)/secrets.toml has no [bitget-main] table"))
        }
    }

    @Test func aDisabledVenueNeedsNoCredentials() throws {
        let disabled = """

            [[venues]]
            id = "htx-parked"
            kind = "htx-spot"
            base_url = "https://api.huobi.pro"
            account_id = "100009"
            enabled = false
            """
        let (config, dir) = try write(secrets: "[bitget-main]\nkey = \"k\"\nsecret = \"s\"\npassphrase = \"p\"\n", extraVenue: disabled)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (resolved, credentials) = try ConfigLoader.resolve(config, environment: ["BN_KEY": "a", "BN_SECRET": "b"])
        #expect(credentials["htx-parked"] == nil)
        #expect(resolved.venues.first { $0.descriptor.id == "htx-parked" }?.descriptor.enabled == false)
    }

    @Test func twoEntriesOnOneVenueAccountAndMarketAreRefusedNamingBoth() throws {
        let second = """

            [[venues]]
            id = "binance-hedge"
            kind = "binance-coinm"
            account = "hedge"
            base_url = "https://dapi.binance.com"
            credentials = { key_env = "BN_KEY", secret_env = "BN_SECRET" }
            """
        let (config, dir) = try write(secrets: "[bitget-main]\nkey = \"k\"\nsecret = \"s\"\npassphrase = \"p\"\n", extraVenue: second)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            _ = try ConfigLoader.resolve(config, environment: ["BN_KEY": "same-key", "BN_SECRET": "b"])
            Issue.record("one account twice must be refused")
        } catch {
            #expect(error.description.contains("venues[2].uid: venues binance-main and binance-hedge are the same venue account"))
            #expect(!error.description.contains("same-key"), "the key never appears")
        }
        // With explicit, different uids (two sub-accounts) both are accepted.
        var distinct = config
        distinct.venues[1].descriptor.uid = "111"
        distinct.venues[2].descriptor.uid = "222"
        #expect(throws: Never.self) { try ConfigLoader.resolve(distinct, environment: ["BN_KEY": "same-key", "BN_SECRET": "b"]) }
    }

    @Test func gateSpotWithoutItsAccountIsRefused() throws {
        let toml = """
            [[venues]]
            id = "gate-spot"
            kind = "gate-spot"
            base_url = "https://api.gateio.ws"
            credentials = { key_env = "K", secret_env = "S" }
            """
        #expect(throws: ConfigErrors.self) { try ConfigParser.parse(toml, file: "t.toml") }
        do { _ = try ConfigParser.parse(toml, file: "t.toml") } catch {
            #expect(error.description.contains("venues[0].gate_account: missing (required for gate-spot"))
        }
    }
}
