#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import VenueSim

/// `killswitch venue check` and `venue request --venue` as child processes, with a config and a 0600 secrets
/// file naming the five venue kinds on an in-process venue-sim (plus a read-only key and a wrong HTX account id).
extension EngineIntegration {
@Suite(.serialized) struct VenueCheckTests {
    struct Setup {
        let sim: VenueSimulator
        let directory: String
        var config: String { directory + "/killswitch.toml" }

        func run(_ arguments: [String]) async throws -> ControlCLITests.Run {
            try await ControlCLITests.killswitch(arguments + ["--config", config])
        }

        func stop() async {
            try? await sim.shutdown()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    static let readOnlyKey = "read-only-key"

    /// (id, kind, extra keys, key)
    static let venues: [(String, String, String, String)] = [
        ("gate-futures", "gate-futures", #"settle = "usdt""#, "test-api-key"),
        ("gate-spot", "gate-spot", #"gate_account = "spot""#, "test-api-key"),
        ("htx", "htx-spot", #"account_id = "100009""#, "test-api-key"),
        ("bitget", "bitget-mix", "product_type = \"USDT-FUTURES\"\nmargin_coin = \"USDT\"", "test-api-key"),
        ("binance", "binance-coinm", "", "test-api-key"),
        ("gate-read-only", "gate-spot", #"gate_account = "spot""#, readOnlyKey),
        ("htx-wrong-account", "htx-spot", #"account_id = "999""#, "test-api-key"),
    ]

    static func start() async throws -> Setup {
        var configuration = VenueSimConfiguration()
        configuration.logLevel = .critical
        configuration.accounts = SimAccount.demoAccounts + [SimAccount(exchange: "gate", apiKey: readOnlyKey, secret: "test-api-secret", uid: "20002", readOnly: true)]
        let sim = try await VenueSimulator.start(configuration)
        let directory = NSTemporaryDirectory() + "ks-venue-check-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var toml = "database = \"\(directory)/ks.db\"\nsocket = \"\(directory)/control.sock\"\nsecrets_file = \"secrets.toml\"\n"
        var secrets = ""
        for (id, kind, extra, key) in venues {
            toml += "\n[[venues]]\nid = \"\(id)\"\nkind = \"\(kind)\"\nbase_url = \"\(sim.baseURL)\"\n\(extra)\n"
            secrets += "[\(id)]\nkey = \"\(key)\"\nsecret = \"test-api-secret\"\n" + (kind == "bitget-mix" ? "passphrase = \"test-passphrase\"\n" : "") + "\n"
        }
        try toml.write(toFile: directory + "/killswitch.toml", atomically: true, encoding: .utf8)
        let fd = open(directory + "/secrets.toml", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        let bytes = Array(secrets.utf8)
        #expect(write(fd, bytes, bytes.count) == bytes.count)
        close(fd)
        return Setup(sim: sim, directory: directory)
    }

    @Test func checkPassesForEveryKindWithTheCancelProbe() async throws {
        let setup = try await Self.start()
        defer { Task { await setup.stop() } }
        _ = try await setup.sim.seed([
            SimOrderSeed(exchange: "gate", market: "futures", settle: "usdt", symbol: "BTC_USDT", id: "101", side: "buy", price: "1", quantity: "1", apiKey: "test-api-key"),
            SimOrderSeed(exchange: "gate", market: "spot", symbol: "ETH_USDT", id: "102", side: "buy", price: "1", quantity: "1", apiKey: "test-api-key"),
            SimOrderSeed(exchange: "htx", market: "spot", symbol: "btcusdt", id: "103", side: "buy", price: "1", quantity: "1", apiKey: "test-api-key"),
            SimOrderSeed(exchange: "bitget", market: "futures", productType: "USDT-FUTURES", symbol: "BTCUSDT", id: "104", side: "buy", price: "1", quantity: "1", apiKey: "test-api-key"),
            SimOrderSeed(exchange: "binance", market: "futures", symbol: "BTCUSD_PERP", id: "105", side: "buy", price: "1", quantity: "1", apiKey: "test-api-key"),
        ])
        for (id, kind, _, _) in Self.venues.prefix(5) {
            let run = try await setup.run(["venue", "check", "--venue", id, "--cancel-probe"])
            #expect(run.status == 0, "\(id): \(run.stdout)\(run.stderr)")
            let lines = run.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("venue     \(id): \(kind), account main") == true, "\(run.stdout)")
            #expect(lines.contains("key       test… (first 4 characters)"))
            #expect(lines.contains { $0.hasPrefix("time      ok    server time ") && $0.contains("clock offset ") }, "\(run.stdout)")
            #expect(lines.contains { $0.hasPrefix("listing   ok    signed listing answered: 1 open order(s)") }, "\(id): \(run.stdout)")
            #expect(lines.contains { $0.hasPrefix("cancel    ok    can cancel: a cancel of an order that cannot exist was answered 'not found'") }, "\(id): \(run.stdout)")
            #expect(!run.stdout.contains("test-api-key") && !run.stdout.contains("test-api-secret") && !run.stdout.contains("test-passphrase"))
            if kind == "htx-spot" {
                #expect(lines.contains("accounts  ok    spot 100009 (working); account_id 100009 is the spot account"), "\(run.stdout)")
            }
        }
        // Nothing was cancelled by the probes: every seeded order is still open.
        #expect(await setup.sim.orders(exchange: nil, market: nil, status: "open").count == 5)
    }

    @Test func aReadOnlyKeyListsButCannotCancel() async throws {
        let setup = try await Self.start()
        defer { Task { await setup.stop() } }
        let readOnly = try await setup.run(["venue", "check", "--venue", "gate-read-only"])
        #expect(readOnly.status == 0, "a read-only run cannot tell: \(readOnly.stdout)")
        #expect(readOnly.stdout.contains("cancel    --    not checked (read-only run)"))
        let probed = try await setup.run(["venue", "check", "--venue", "gate-read-only", "--cancel-probe"])
        #expect(probed.status == 1)
        #expect(probed.stdout.contains("listing   ok    "))
        #expect(probed.stdout.contains("cancel    FAIL  cannot cancel: the venue refused the key a cancel READ_ONLY (HTTP 403)"), "\(probed.stdout)")
        #expect(!probed.stdout.contains(Self.readOnlyKey))
        // `venue request --venue … --send` with the same key: the venue refuses, exit 1.
        let send = try await setup.run(["venue", "request", "--venue", "gate-read-only", "--orders", "77", "--symbol", "BTC_USDT", "--send"])
        #expect(send.status == 1)
        #expect(send.stdout.contains("READ_ONLY"))
    }

    @Test func aWrongHTXAccountIdIsNamed() async throws {
        let setup = try await Self.start()
        defer { Task { await setup.stop() } }
        let run = try await setup.run(["venue", "check", "--venue", "htx-wrong-account"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("accounts  FAIL  spot 100009 (working); account_id 999 is not this key's spot account (spot: 100009)"), "\(run.stdout)")
    }

    @Test func badArgumentsNameTheOption() async throws {
        let setup = try await Self.start()
        defer { Task { await setup.stop() } }
        let unknown = try await setup.run(["venue", "check", "--venue", "nope"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("--venue: no venue \"nope\" in \(setup.config); configured: binance, bitget, gate-futures, gate-read-only, gate-spot, htx, htx-wrong-account"), "\(unknown.stderr)")
        let both = try await setup.run(["venue", "request", "--venue", "binance", "--venue-kind", "binance-coinm", "--orders", "1", "--symbol", "BTCUSD_PERP"])
        #expect(both.status == 64 && both.stderr.contains("--venue and --venue-kind: give one"))
        let settle = try await setup.run(["venue", "request", "--venue", "gate-futures", "--settle", "btc", "--orders", "1"])
        #expect(settle.status == 64 && settle.stderr.contains("--settle: with --venue the market settings are the config's"))
    }

    @Test func requestWithVenueUsesTheConfigsCredentialsAndMarket() async throws {
        let setup = try await Self.start()
        defer { Task { await setup.stop() } }
        let run = try await setup.run(["venue", "request", "--venue", "bitget", "--orders", "12345", "--symbol", "BTCUSDT", "--timestamp", "1700000000000"])
        #expect(run.status == 0, "\(run.stderr)")
        // The config's product type and margin coin, its base_url, the key redacted, the passphrase hidden.
        #expect(run.stdout.contains(setup.sim.baseURL + "/api/v2/mix/order/batch-cancel-orders"))
        #expect(run.stdout.contains(#"\"productType\":\"USDT-FUTURES\""#) || run.stdout.contains(#"productType\":\"USDT-FUTURES"#), "\(run.stdout)")
        #expect(run.stdout.contains(#"marginCoin"#))
        #expect(!run.stdout.contains("test-api-key") && !run.stdout.contains("test-passphrase"))
    }
}
}
