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
