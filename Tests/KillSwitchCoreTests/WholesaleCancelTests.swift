import Testing
@testable import KillSwitchCore

/// The one eligibility check for a venue cancel-all: the whole entry in scope (or the venue's per-symbol one
/// for a symbol scope), the only entry on its venue account and market, no keep rules.
@Suite struct WholesaleCancelTests {
    static func venue(_ id: String, _ kind: VenueKind = .gateFutures, account: String = "main", uid: String? = "u1", settle: String = "usdt",
                      keep: KeepRules? = nil) -> VenueDescriptor {
        VenueDescriptor(id: id, kind: kind, account: account, baseURL: "http://x", market: VenueMarket(settle: kind == .gateFutures ? settle : nil,
                        productType: kind == .bitgetMix ? "USDT-FUTURES" : nil), uid: uid, keep: keep)
    }

    @Test func allowedForAWholeEntryAloneOnItsAccountAndMarket() {
        let a = Self.venue("a"), other = Self.venue("b", .binanceCoinM)
        for scope in [Scope.everything, Scope(venue: "a"), Scope(account: "main"), Scope(venue: "a", symbol: "BTC_USDT")] {
            #expect(WholesaleCancel.check(a, among: [a, other], scope: TripScope(scope)) == .allowed, "\(scope)")
        }
        // Same uid, another market (the btc settle): a cancel-all of one cannot reach the other.
        #expect(WholesaleCancel.check(a, among: [a, Self.venue("c", settle: "btc")], scope: TripScope(.everything)) == .allowed)
    }

    @Test func refusedWhenTheScopeDoesNotCoverTheEntry() {
        let a = Self.venue("a")
        #expect(!WholesaleCancel.check(a, among: [a], scope: TripScope(Scope(venue: "b"))).isAllowed)
        #expect(!WholesaleCancel.check(a, among: [a], scope: TripScope(Scope(account: "other"))).isAllowed)
    }

    @Test func refusedWithKeepRules() {
        let a = Self.venue("a", keep: KeepRules(clientIdPrefixes: ["t-hedge"], maxKeptNotional: .zero))
        let verdict = WholesaleCancel.check(a, among: [a], scope: TripScope(.everything))
        #expect(verdict.reason?.contains("keep rules") == true)
        // Even when the keep is void for the trip: an entry with keep rules is never cancelled wholesale.
        #expect(!WholesaleCancel.check(a, among: [a], scope: TripScope(.everything, keepVoided: ["a"])).isAllowed)
    }

    @Test func refusedWhenAnotherEntryIsOnTheSameVenueAccountAndMarket() {
        let a = Self.venue("a"), b = Self.venue("b", account: "desk-b")
        let verdict = WholesaleCancel.check(a, among: [a, b], scope: TripScope(Scope(venue: "a")))
        #expect(verdict.reason?.contains("venue b") == true)
        // An entry whose account is unknown might be the same one; an entry with no uid cannot rule others out.
        #expect(!WholesaleCancel.check(a, among: [a, Self.venue("c", uid: nil)], scope: TripScope(.everything)).isAllowed)
        #expect(!WholesaleCancel.check(Self.venue("d", uid: nil), among: [Self.venue("d", uid: nil)], scope: TripScope(.everything)).isAllowed)
    }

    @Test func bitgetHasNoPerSymbolCancelAllForASymbolScope() {
        let a = Self.venue("a", .bitgetMix)
        #expect(WholesaleCancel.check(a, among: [a], scope: TripScope(Scope(venue: "a"))) == .allowed)
        #expect(!WholesaleCancel.check(a, among: [a], scope: TripScope(Scope(venue: "a", symbol: "BTCUSDT"))).isAllowed)
    }

    @Test func keptOrdersAreOutsideTheScopeUnlessTheKeepIsVoid() {
        let a = Self.venue("a", .binanceCoinM, keep: KeepRules(clientIdPrefixes: ["hedge-"], maxKeptNotional: .zero))
        let scope = TripScope(.everything)
        #expect(!scope.contains(a, symbol: "BTCUSD_PERP", clientOrderId: "hedge-1"))
        #expect(scope.contains(a, symbol: "BTCUSD_PERP", clientOrderId: "bot-1"))
        #expect(scope.contains(a, symbol: "BTCUSD_PERP", clientOrderId: nil))
        #expect(TripScope(.everything, keepVoided: ["a"]).contains(a, symbol: "BTCUSD_PERP", clientOrderId: "hedge-1"))
    }
}
