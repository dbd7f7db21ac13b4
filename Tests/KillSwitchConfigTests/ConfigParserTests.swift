import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchConfig

@Suite struct ConfigParserTests {
    static let valid = """
        database = "/tmp/ks.db"
        socket = "/tmp/ks.sock"

        [store]
        synchronous = "full"
        busy_timeout = "2s"

        [trading_day]
        day_start = "08:30"
        timezone = "UTC"

        [[venues]]
        id = "binance-main"
        kind = "binance-coinm"
        account = "main"
        base_url = "https://dapi.binance.com"
        credentials = { key_env = "BINANCE_MAIN_KEY", secret_env = "BINANCE_MAIN_SECRET" }
        contracts = { "BTCUSD_PERP" = { multiplier = "100", inverse = true } }

        [[venues]]
        id = "bitget-main"
        kind = "bitget-mix"
        base_url = "https://api.bitget.com"
        product_type = "USDT-FUTURES"
        margin_coin = "USDT"
        credentials = { secrets_file = "secrets.toml" }

        [[rules]]
        id = "bot7-alive"
        type = "heartbeat"
        source = "bot7"
        timeout = "5s"
        grace = "30s"
        scope = { venue = "binance-main" }

        [[rules]]
        id = "daily-loss"
        type = "loss-limit"
        venues = ["binance-main"]
        limit = "25000"

        [[rules]]
        id = "drawdown"
        type = "drawdown"
        venues = ["bitget-main"]
        limit = "8%"

        [[rules]]
        id = "runaway"
        type = "order-rate"
        max_orders = 200
        window = "10s"
        per = "account-symbol"

        [[rules]]
        id = "too-much"
        type = "exposure"
        max_open_orders = 5000
        max_open_notional = "2000000"
        scope = {}

        [[rules]]
        id = "rejects"
        type = "reject-storm"
        max_rejects = 50
        window = "60s"
        """

    func issues(_ text: String) -> [String] {
        do {
            _ = try ConfigParser.parse(text, file: "test.toml")
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func theFullExampleParses() throws {
        let config = try ConfigParser.parse(Self.valid)
        #expect(config.database == "/tmp/ks.db")
        #expect(config.store.synchronous == "full")
        #expect(config.store.busyTimeout == .seconds(2))
        #expect(config.tradingDay.startMinute == 8 * 60 + 30)
        #expect(config.venues.count == 2)
        #expect(config.venues[0].descriptor.kind == .binanceCoinM)
        #expect(config.venues[0].descriptor.contracts["BTCUSD_PERP"] == ContractSpec(multiplier: DecimalAmount("100")!, inverse: true))
        #expect(config.venues[0].credentials == .environment(keyVariable: "BINANCE_MAIN_KEY", secretVariable: "BINANCE_MAIN_SECRET", passphraseVariable: nil))
        #expect(config.venues[1].descriptor.market.productType == "USDT-FUTURES")
        #expect(config.venues[1].descriptor.account == "main")
        #expect(config.rules.map(\.id) == ["bot7-alive", "daily-loss", "drawdown", "runaway", "too-much", "rejects"])
        #expect(config.rules[0].kind == .heartbeat(source: "bot7", timeout: .seconds(5), grace: .seconds(30)))
        #expect(config.rules[0].scope == Scope(venue: "binance-main"))
        #expect(config.rules[2].kind == .drawdown(venues: ["bitget-main"], limit: .percent(DecimalAmount("8")!)))
        #expect(config.rules[3].kind == .orderRate(maxOrders: 200, window: .seconds(10), per: .accountSymbol))
        #expect(config.rules[4].kind == .exposure(maxOpenOrders: 5000, maxOpenNotional: DecimalAmount("2000000")))
    }

    @Test func theShippedExampleConfigIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent("etc/killswitch.example.toml").path
        let config = try ConfigLoader.load(path: path)
        #expect(config.venues.count == 5)
        #expect(Set(config.venues.map(\.descriptor.kind)) == Set(VenueKind.allCases))
        #expect(config.rules.count >= 6)
    }

    @Test func controlGroupsAndTokens() throws {
        let defaults = try ConfigParser.parse("")
        #expect(defaults.control.socketGroup == "killswitch" && defaults.control.operatorGroup == "killswitch-operators")
        let set = try ConfigParser.parse("[control]\nsocket_group = \"bots\"\noperator_group = \"desk\"\ntcp_port = 8787\ntoken_env = \"T\"\noperator_token_env = \"OT\"")
        #expect(set.control == ControlSettings(socketGroup: "bots", operatorGroup: "desk", tcpPort: 8787, tokenEnv: "T", operatorTokenEnv: "OT"))
        #expect(issues("[control]\nsocket_group = \"trading\"\noperator_group = \"trading\"") == [
            #"control.operator_group: "trading" is also socket_group: every bot that can reach the socket could re-arm; name a group of people only"#,
        ])
        #expect(issues("[control]\ntcp_port = 8787\ntoken_env = \"T\"\noperator_token_env = \"T\"") == [
            "control.operator_token_env: names the same variable as token_env: the operators' token must differ from the bots'",
        ])
    }

    @Test func unknownKeyIsAnErrorWithItsPath() {
        let text = Self.valid.replacingOccurrences(of: "max_rejects = 50", with: "max_rejects = 50\nmax_reject = 5")
        #expect(issues(text) == ["rules[5].max_reject: unknown key; known keys here: id, max_rejects, scope, type, window"])
        #expect(issues("databse = \"x\"").first?.hasPrefix("databse: unknown key") == true)
        #expect(issues("[store]\nsynchronus = \"full\"").first?.hasPrefix("store.synchronus: unknown key") == true)
        let nested = Self.valid.replacingOccurrences(of: "inverse = true", with: "inverse = true, multiplyer = \"1\"")
        #expect(issues(nested).first?.hasPrefix("venues[0].contracts.BTCUSD_PERP.multiplyer: unknown key") == true)
    }

    @Test func wrongTypes() {
        #expect(issues(Self.valid.replacingOccurrences(of: "max_orders = 200", with: "max_orders = \"200\"")) == ["rules[3].max_orders: expected an integer, got a string"])
        #expect(issues(Self.valid.replacingOccurrences(of: "limit = \"25000\"", with: "limit = 25000.5")) == ["rules[1].limit: write amounts as strings (e.g. \"25000.5\"): floating-point numbers are inexact"])
        #expect(issues("database = 5") == ["database: expected a string, got an integer"])
        #expect(issues("venues = 3") == ["venues: expected an array of tables ([[venues]]), got an integer"])
    }

    @Test func badDurations() {
        #expect(issues(Self.valid.replacingOccurrences(of: "timeout = \"5s\"", with: "timeout = \"5 seconds\"")) == [
            "rules[0].timeout: invalid duration \"5 seconds\": expected a positive integer with a unit ms, s, m or h (e.g. \"250ms\", \"5s\")",
        ])
        #expect(issues(Self.valid.replacingOccurrences(of: "window = \"10s\"", with: "window = 10")) == [
            "rules[3].window: expected a duration string such as \"250ms\", \"5s\", \"2m\" or \"1h\", got an integer",
        ])
        #expect(issues(Self.valid.replacingOccurrences(of: "timeout = \"5s\"", with: "timeout = \"0s\"")).count == 1)
        #expect(DurationText.parse("250ms") == .milliseconds(250))
        #expect(DurationText.parse("2m") == .seconds(120))
        #expect(DurationText.parse("1h") == .seconds(3600))
        #expect(DurationText.parse("-1s") == nil)
        #expect(DurationText.parse("1.5s") == nil)
    }

    @Test func unknownKind() {
        let text = Self.valid.replacingOccurrences(of: "kind = \"bitget-mix\"", with: "kind = \"gate-swap\"")
        #expect(issues(text).contains("venues[1].kind: unknown venue kind \"gate-swap\"; expected one of gate-futures | gate-spot | htx-spot | bitget-mix | binance-coinm"))
    }

    @Test func perKindMarketKeys() {
        let gate = """
            [[venues]]
            id = "g"
            kind = "gate-futures"
            base_url = "https://api.gateio.ws"
            settle = "USDT"
            product_type = "USDT-FUTURES"
            credentials = { key_env = "K", secret_env = "S" }
            """
        #expect(Set(issues(gate)) == [
            "venues[0].product_type: does not apply to kind gate-futures",
            "venues[0].settle: \"USDT\" must be \"usdt\" or \"btc\" (lower case, as in the path)",
        ])
        let htx = gate.replacingOccurrences(of: "gate-futures", with: "htx-spot").replacingOccurrences(of: "settle = \"USDT\"\n", with: "").replacingOccurrences(of: "product_type = \"USDT-FUTURES\"\n", with: "")
        #expect(issues(htx) == ["venues[0].account_id: missing (required for htx-spot: the numeric spot account id, so cancel-all never reaches other accounts)"])
    }

    @Test func secretsNeverInline() {
        let text = Self.valid.replacingOccurrences(of: "credentials = { key_env = \"BINANCE_MAIN_KEY\", secret_env = \"BINANCE_MAIN_SECRET\" }", with: "credentials = { key = \"abcd\", secret = \"s3cr3t\" }")
        let found = issues(text)
        #expect(found.contains { $0.hasPrefix("venues[0].credentials.key: secrets are never written in the main config") })
        #expect(!found.joined().contains("s3cr3t"))
    }

    @Test func rulesReferenceKnownVenues() {
        let text = Self.valid.replacingOccurrences(of: "venues = [\"binance-main\"]", with: "venues = [\"binance-mian\"]")
        #expect(issues(text) == ["rules[1].venues[0]: unknown venue \"binance-mian\"; configured: binance-main, bitget-main"])
    }

    @Test func everyErrorIsReportedAtOnce() {
        let text = """
            [[venues]]
            id = "x"
            kind = "nope"

            [[rules]]
            type = "heartbeat"
            """
        let found = issues(text)
        #expect(found.contains("venues[0].kind: unknown venue kind \"nope\"; expected one of gate-futures | gate-spot | htx-spot | bitget-mix | binance-coinm"))
        #expect(found.contains("venues[0].base_url: missing (required)"))
        #expect(found.contains("rules[0].id: missing (required)"))
        #expect(found.contains("rules[0].source: missing (required)"))
        #expect(found.contains("rules[0].timeout: missing (required)"))
    }

    @Test func tomlSyntaxErrorsGiveTheLine() {
        let found = issues("database = \"x\"\n[store\n")
        #expect(found.count == 1)
        #expect(found[0].contains("line 2"))
    }
}

extension ConfigParserTests {
    @Test func maintenanceIntervals() throws {
        let config = try ConfigParser.parse("[maintenance]\nkeep_warm = \"20s\"\narmed_check = \"5m\"")
        #expect(config.maintenance == MaintenanceSettings(keepWarm: .seconds(20), armedCheck: .seconds(300)))
        #expect(try ConfigParser.parse("").maintenance == MaintenanceSettings(keepWarm: .seconds(15), armedCheck: .seconds(180)))
        #expect(issues("[maintenance]\nkeep_warm = \"100ms\"") == [
            "maintenance.keep_warm: 100ms is too often; at least 1s (background calls share the cancels' rate limits)",
        ])
        #expect(issues("[maintenance]\narmed_check = \"5s\"").first?.hasPrefix("maintenance.armed_check: 5s is too often") == true)
        #expect(issues("[maintenance]\narmed_checks = \"5m\"").first?.hasPrefix("maintenance.armed_checks: unknown key; known keys here: armed_check, keep_warm") == true)
    }
}
