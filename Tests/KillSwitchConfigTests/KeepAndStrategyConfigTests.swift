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
