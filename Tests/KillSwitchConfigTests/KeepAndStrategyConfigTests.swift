import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchConfig

/// `[engine] strategy`, `[[venues]] strategy` and `[[venues]] keep`: parsed with their defaults, every problem
/// named by its key path, and an entry with keep rules never reached by a countdown cancel-all.
@Suite struct KeepAndStrategyConfigTests {
    typealias C = CountdownConfigTests

    @Test func strategyDefaultsToAutoAndAnEntryMayOverrideIt() throws {
        let config = try C.parse(C.venue("a", "binance-coinm") + C.venue("b", "gate-futures", extra: "strategy = \"by-id\""))
        #expect(config.engine.strategy == .auto)
        #expect(config.venues[0].strategy(engine: config.engine) == .auto)
        #expect(config.venues[1].strategy(engine: config.engine) == .byId)
        let pinned = try C.parse("[engine]\nstrategy = \"by-id\"\n\n" + C.venue("a", "binance-coinm") + C.venue("b", "htx-spot", extra: "strategy = \"auto\""))
        #expect(pinned.venues[0].strategy(engine: pinned.engine) == .byId)
        #expect(pinned.venues[1].strategy(engine: pinned.engine) == .auto)
    }

    @Test func anUnknownStrategyIsNamedByItsKeyPath() {
        let engine = C.issues("[engine]\nstrategy = \"cancel-all\"\n\n" + C.venue("a", "binance-coinm"))
        #expect(engine.map(\.path) == ["engine.strategy"])
        #expect(engine.first?.message.contains("\"auto\" or \"by-id\"") == true)
        let venue = C.issues(C.venue("a", "binance-coinm", extra: "strategy = \"fast\""))
        #expect(venue.map(\.path) == ["venues[0].strategy"])
    }

    @Test func keepRulesParseInTheVenuesCase() throws {
        let config = try C.parse(C.venue("b", "binance-coinm", extra: "keep = { client_id_prefix = [\"hedge-\", \"manual-\"], symbols = [\"btcusd_perp\"], max_kept_notional = \"250000\" }"))
        let keep = try #require(config.venues[0].descriptor.keep)
        #expect(keep.clientIdPrefixes == ["hedge-", "manual-"])
        #expect(keep.maxKeptNotional == DecimalAmount("250000"))
        #expect(keep.keeps(kind: .binanceCoinM, symbol: "BTCUSD_PERP", clientOrderId: "hedge-1"))
        #expect(!keep.keeps(kind: .binanceCoinM, symbol: "ETHUSD_PERP", clientOrderId: "hedge-1"), "every criterion given must match")
        #expect(!keep.keeps(kind: .binanceCoinM, symbol: "BTCUSD_PERP", clientOrderId: "bot-1"))
        #expect(!keep.keeps(kind: .binanceCoinM, symbol: "BTCUSD_PERP", clientOrderId: nil), "no client id never matches a prefix")
        #expect(try C.parse(C.venue("b", "binance-coinm")).venues[0].descriptor.keep == nil)
    }

    @Test func keepProblemsAreNamedByTheirKeyPaths() {
        #expect(C.issues(C.venue("b", "binance-coinm", extra: "keep = { client_id_prefix = [\"hedge-\"] }")).map(\.path) == ["venues[0].keep.max_kept_notional"])
        #expect(C.issues(C.venue("b", "binance-coinm", extra: "keep = { max_kept_notional = \"1\" }")).map(\.path) == ["venues[0].keep"])
        let typo = C.issues(C.venue("b", "binance-coinm", extra: "keep = { client_id_prefixes = [\"hedge-\"], max_kept_notional = \"1\" }"))
        #expect(typo.map(\.path).contains("venues[0].keep.client_id_prefixes"), "unknown keys are errors: \(typo)")
        #expect(C.issues(C.venue("b", "binance-coinm", extra: "keep = { symbols = [\"X\"], max_kept_notional = 2.5 }")).map(\.path) == ["venues[0].keep.max_kept_notional"])
        #expect(C.issues(C.venue("b", "binance-coinm", extra: "keep = { symbols = [\"\"], max_kept_notional = \"1\" }")).map(\.path).contains("venues[0].keep.symbols[0]"))
    }

    @Test func configCheckSaysWhichCancelEachEntryMayUseAndWhy() throws {
        var config = try C.parse(C.venue("a", "bitget-mix", uid: "1")
            + C.venue("b", "htx-spot", extra: "keep = { client_id_prefix = [\"hedge-\"], max_kept_notional = \"250000\" }", uid: "2")
            + C.venue("c", "binance-coinm", extra: "strategy = \"by-id\"", uid: "3")
            + C.venue("d", "gate-spot") + C.venue("e", "gate-spot", extra: "account = \"desk-b\""))
        config.venues[3].descriptor.uid = "9"
        config.venues[4].descriptor.uid = "9"
        let lines = StrategyPlan.describe(config)
        #expect(lines[0] == "strategy a: auto; a trip of the whole entry may use the venue's cancel-all where it is faster (a symbol scope goes by id: no per-symbol cancel-all)")
        #expect(lines[1].hasPrefix("strategy b: auto; cancels by id: venue b has keep rules") && lines[1].hasSuffix("keeps orders with client ids hedge-… up to 250000 notional"))
        #expect(lines[2] == "strategy c: by-id; cancels by id (a symbol escalates to its cancel-all only where allowed)")
        #expect(lines[3].contains("cancels by id: venue e is on the same venue account (uid 9)"))
    }

    @Test func anEntryWithKeepRulesIsNeverReachedByACountdown() throws {
        // Its own dms would cancel its kept orders when it fires.
        let own = try C.resolvedIssues(C.venue("g", "gate-futures", extra: "keep = { client_id_prefix = [\"t-hedge\"], max_kept_notional = \"1\" }", dms: "{ }", uid: "1"))
        #expect(own.map(\.path) == ["venues[0]"])
        #expect(own.first?.message.contains("keep rules") == true)
        // Without dms anywhere on its account, keep rules are fine.
        #expect(try C.resolvedIssues(C.venue("g", "gate-futures", extra: "keep = { client_id_prefix = [\"t-hedge\"], max_kept_notional = \"1\" }", uid: "1")).isEmpty)
        #expect(CountdownPlan.cannotBeCovered(try C.parse(C.venue("g", "gate-futures")).venues[0]) == nil)
    }
}
