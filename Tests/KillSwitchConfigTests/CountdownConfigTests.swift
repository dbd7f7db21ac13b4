import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchConfig

/// `[[venues]] dms`: parsing, the reach rule (a countdown cancels everything it reaches, so every entry it
/// reaches must enable it too), the budget, and the `dms-lost` rules it brings.
@Suite struct CountdownConfigTests {
    static func venue(_ id: String, _ kind: String, extra: String = "", dms: String? = nil, uid: String? = nil) -> String {
        var text = "[[venues]]\nid = \"\(id)\"\nkind = \"\(kind)\"\nbase_url = \"https://example.test\"\ncredentials = { key_env = \"K\", secret_env = \"S\" }\n"
        switch kind {
        case "gate-futures": text += "settle = \"usdt\"\n"
        case "gate-spot": text += "gate_account = \"spot\"\n"
        case "htx-spot": text += "account_id = \"100009\"\n"
        case "bitget-mix": text += "product_type = \"USDT-FUTURES\"\nmargin_coin = \"USDT\"\n"
        default: break
        }
        if let uid { text += "uid = \"\(uid)\"\n" }
        if let dms { text += "dms = \(dms)\n" }
        return text + extra + "\n"
    }

    static func parse(_ text: String) throws -> KillSwitchConfiguration {
        try ConfigParser.parse("database = \"/tmp/ks.db\"\n\n" + text)
    }

    static func issues(_ text: String) -> [ConfigIssue] {
        do {
            _ = try parse(text)
            return []
        } catch let error as ConfigErrors {
            return error.issues
        } catch {
            return [ConfigIssue(path: "?", message: "\(error)")]
        }
    }

    /// Parses, then resolves accounts as `config check` and `run` do (uids from the config).
    static func resolvedIssues(_ text: String) throws -> [ConfigIssue] {
        var config = try parse(text)
        do {
            try ConfigLoader.resolveAccounts(&config, credentials: [:])
            return []
        } catch {
            return error.issues
        }
    }

    @Test func parsesTheSettingsWithTheirDefaults() throws {
        let config = try Self.parse(Self.venue("gate", "gate-futures", dms: "{ timeout = \"30s\", refresh = \"10s\", on_stop = \"leave\" }")
            + Self.venue("htx", "htx-spot", dms: "{ }")
            + Self.venue("binance", "binance-coinm", dms: "{ timeout = \"6s\", refresh = \"2s\", symbols = [\"btcusd_perp\"] }"))
        #expect(config.venues[0].dms == CountdownSettings(timeout: .seconds(30), refresh: .seconds(10), onStop: .leave))
        #expect(config.venues[1].dms == CountdownSettings(), "30s / 10s / disarm by default")
        #expect(config.venues[2].dms?.symbols == ["BTCUSD_PERP"], "in the venue's own case")
        #expect(config.venues[2].dms?.onStop == .disarm)
        #expect(config.engine.dmsFailures == 3)
    }

    @Test func eachEntryWithDmsGetsADmsLostRule() throws {
        let config = try Self.parse("[engine]\ndms_failures = 5\n\n" + Self.venue("gate", "gate-futures", dms: "{ }") + Self.venue("bitget", "bitget-mix"))
        let rule = try #require(config.rules.first { $0.id == "dms-lost.gate" })
        #expect(rule.kind == .dmsLost(failures: 5))
        #expect(rule.scope == Scope(venue: "gate"))
        #expect(rule.typeName == "dms-lost")
        #expect(config.rules.count == 1)
    }

    @Test(arguments: [
        ("{ timeout = \"20s\", refresh = \"10s\" }", "venues[0].dms.timeout", "at least 3 × refresh"),
        ("{ timeout = \"4s\", refresh = \"1s\" }", "venues[0].dms.timeout", "at least 5s"),
        ("{ timeout = \"5500ms\", refresh = \"1s\" }", "venues[0].dms.timeout", "whole seconds"),
        ("{ refresh = \"500ms\" }", "venues[0].dms.refresh", "at least 1s"),
        ("{ on_stop = \"cancel\" }", "venues[0].dms.on_stop", "unknown value \"cancel\""),
        ("{ symbols = [\"BTC_USDT\"] }", "venues[0].dms.symbols", "only for binance-coinm"),
        ("{ timout = \"30s\" }", "venues[0].dms.timout", "unknown key"),
        ("{ timeout = 30 }", "venues[0].dms.timeout", "got an integer"),
    ])
    func badSettingsAreErrorsNamingTheKey(dms: String, path: String, message: String) {
        let issues = Self.issues(Self.venue("gate", "gate-futures", dms: dms))
        #expect(issues.contains { $0.path == path && $0.message.contains(message) }, "\(issues)")
    }

    @Test func bitgetHasNoCountdown() {
        let issues = Self.issues(Self.venue("bitget", "bitget-mix", dms: "{ }"))
        #expect(issues.contains { $0.path == "venues[0].dms" && $0.message.contains("no countdown cancel-all") }, "\(issues)")
    }

    @Test func aDmsLostRuleIsNotWrittenInRules() {
        let issues = Self.issues(Self.venue("gate", "gate-futures") + "[[rules]]\nid = \"x\"\ntype = \"dms-lost\"\n")
        #expect(issues.contains { $0.path == "rules[0].type" && $0.message.contains("each venue with dms gets one") }, "\(issues)")
    }

    // MARK: Reach

    @Test func gateSpotDmsMustBeOnEverySpotEntryOfTheAccount() throws {
        // Gate spot's countdown reaches every spot account type of the venue account: the margin entry too.
        let text = Self.venue("spot", "gate-spot", dms: "{ }", uid: "42")
            + Self.venue("margin", "gate-spot", extra: "", uid: "42").replacingOccurrences(of: "gate_account = \"spot\"", with: "gate_account = \"margin\"")
        let issues = try Self.resolvedIssues(text)
        #expect(issues.count == 1)
        #expect(issues.first?.path == "venues[0].dms")
        #expect(issues.first?.message.contains("would also cancel venue margin's orders") == true)
        #expect(issues.first?.message.contains("venues[1] does not enable dms itself") == true)
    }

    @Test func gateFuturesReachesTheSettleNotTheOtherSettle() throws {
        let usdt = Self.venue("usdt", "gate-futures", dms: "{ }", uid: "42")
        let btc = Self.venue("btc", "gate-futures", uid: "42").replacingOccurrences(of: "settle = \"usdt\"", with: "settle = \"btc\"")
        #expect(try Self.resolvedIssues(usdt + btc).isEmpty, "the btc settle is another countdown")
        let spot = Self.venue("spot", "gate-spot", uid: "42")
        #expect(try Self.resolvedIssues(usdt + spot).isEmpty, "spot is another market")
    }

    @Test func htxReachesTheWholeAccount() throws {
        let a = Self.venue("htx-a", "htx-spot", dms: "{ }", uid: "7")
        let b = Self.venue("htx-b", "htx-spot", uid: "7").replacingOccurrences(of: "100009", with: "100010")
        let issues = try Self.resolvedIssues(a + b)
        #expect(issues.map(\.path) == ["venues[0].dms"], "\(issues)")
        let otherAccount = Self.venue("htx-c", "htx-spot", uid: "8").replacingOccurrences(of: "100009", with: "100011")
        #expect(try Self.resolvedIssues(a + otherAccount).isEmpty)
    }

    @Test func entriesOneCountdownCoversMustAgreeOnItsSettings() throws {
        let a = Self.venue("htx-a", "htx-spot", dms: "{ timeout = \"30s\", refresh = \"10s\" }", uid: "7")
        let b = Self.venue("htx-b", "htx-spot", dms: "{ timeout = \"60s\", refresh = \"10s\" }", uid: "7").replacingOccurrences(of: "100009", with: "100010")
        let issues = try Self.resolvedIssues(a + b)
        #expect(issues.map(\.path) == ["venues[1].dms"], "\(issues)")
        #expect(issues.first?.message.contains("one countdown covers both") == true)
        let same = b.replacingOccurrences(of: "60s", with: "30s")
        #expect(try Self.resolvedIssues(a + same).isEmpty)
        #expect(CountdownPlan.groups(try Self.parse(a + same).resolvedForTest()).map(\.venueIds) == [["htx-a", "htx-b"]], "one countdown for both")
    }

    // MARK: Budget

    @Test func aBinancePlanOverTwentyPercentOfTheWeightIsRefused() throws {
        // 5 symbols × weight 10 × 12 calls/min = 600 weight/min > 480 (20% of 2400).
        let symbols = (1...5).map { "\"S\($0)USD_PERP\"" }.joined(separator: ", ")
        let over = Self.venue("binance", "binance-coinm", dms: "{ timeout = \"15s\", refresh = \"5s\", symbols = [\(symbols)] }", uid: "9")
        let issues = try Self.resolvedIssues(over)
        #expect(issues.map(\.path) == ["venues[0].dms"], "\(issues)")
        #expect(issues.first?.message.contains("600 weight/min") == true, "\(issues)")
        #expect(issues.first?.message.contains("480/min") == true, "\(issues)")
        // 4 symbols: 480, exactly the budget.
        let within = over.replacingOccurrences(of: ", \"S5USD_PERP\"", with: "")
        #expect(try Self.resolvedIssues(within).isEmpty)
        let lines = CountdownPlan.describe(try Self.parse(within).resolvedForTest())
        #expect(lines.contains { $0.contains("refresh cost 480 weight/min (120 per symbol), budget 480 weight/min") }, "\(lines)")
    }

    @Test func gateRefreshesDrawOnTheCountdownEndpointsOwnLimit() throws {
        let config = try Self.parse(Self.venue("gate", "gate-futures", dms: "{ timeout = \"30s\", refresh = \"10s\" }", uid: "1")).resolvedForTest()
        let pools = CountdownPlan.costs(config)
        #expect(pools.count == 1)
        #expect(pools.first?.pool == "gate/uid:1/futures/countdown")
        #expect(pools.first?.costPerMinute == 6)
        #expect(pools.first?.budgetPerMinute == 1_200)
        let lines = CountdownPlan.describe(config)
        #expect(lines.contains { $0.hasPrefix("dms gate: gate-futures countdown reaching every contract of the settle") && $0.contains("refresh cost 6 requests/min") }, "\(lines)")
    }

    @Test func theReserveCoversEveryRefreshInAWindow() {
        // Binance: one minute (+10 ms jitter) at a 10 s refresh holds 7 calls of weight 10 per symbol.
        #expect(CountdownBudget.reservePerWindow(kind: .binanceCoinM, refresh: .seconds(10), targets: 2, span: .milliseconds(60_010)) == 140)
        #expect(CountdownBudget.reservePerWindow(kind: .gateSpot, refresh: .seconds(10), targets: 1, span: .milliseconds(10_010)) == 2)
        #expect(CountdownBudget.reservePerWindow(kind: .bitgetMix, refresh: .seconds(10), targets: 1, span: .seconds(1)) == 0)
    }
}

extension KillSwitchConfiguration {
    /// Uids from the config only (the tests give them), as `resolveAccounts` fills them.
    func resolvedForTest() throws -> KillSwitchConfiguration {
        var config = self
        try ConfigLoader.resolveAccounts(&config, credentials: [:])
        return config
    }
}
