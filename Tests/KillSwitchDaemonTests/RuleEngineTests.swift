import Foundation
import Logging
import Synchronization
import Testing
import KillSwitchCore
@testable import KillSwitchDaemon

/// The rule engine on a manual clock: rules fire exactly at their thresholds, from events and timers.
@Suite struct RuleEngineTests {
    final class Trips: Sendable {
        let calls = Mutex<[(Scope, String, String)]>([])
        var count: Int { calls.withLock { $0.count } }
        var last: (Scope, String, String)? { calls.withLock { $0.last } }
    }

    static func engine(_ rules: [RuleDefinition], clock: ManualClock, trips: Trips) -> RuleEngine<ManualClock> {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return RuleEngine(rules: rules, tradingDay: TradingDay(), clock: clock, logger: logger) { scope, reason, rule in
            trips.calls.withLock { $0.append((scope, reason, rule)) }
            return Int64(trips.count)
        }
    }

    static let heartbeatRule = RuleDefinition(id: "bot7-alive", scope: Scope(venue: "binance"),
                                              kind: .heartbeat(source: "bot7", timeout: .seconds(5), grace: .seconds(30)))

    @Test func heartbeatFiresExactlyAtGracePlusTimeoutAfterStart() async {
        let clock = ManualClock()
        let trips = Trips()
        let engine = Self.engine([Self.heartbeatRule], clock: clock, trips: trips)
        await engine.start()
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(35) - .milliseconds(1))
        await Task.yield()
        #expect(trips.count == 0)
        clock.advance(by: .milliseconds(1))
        while trips.count == 0 { await Task.yield() }
        #expect(trips.last?.0 == Scope(venue: "binance"))
        #expect(trips.last?.2 == "bot7-alive")
        #expect(clock.now == ManualClock.Instant(offset: .seconds(35)))
        // Asked for with tolerance zero: by default the OS may wake a timer a tenth of its wait late to coalesce it.
        #expect(!clock.sleepTolerances.isEmpty && clock.sleepTolerances.allSatisfy { $0 == .zero })
    }

    @Test func eachHeartbeatMovesTheDeadline() async {
        let clock = ManualClock()
        let trips = Trips()
        let engine = Self.engine([Self.heartbeatRule], clock: clock, trips: trips)
        await engine.start()
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(10))
        #expect(await engine.heartbeat(source: "bot7"))
        #expect(await !engine.heartbeat(source: "nobody"))
        // The timer was set for 35 s; it wakes there, sees the new deadline (15 s) and sleeps again.
        clock.advance(by: .seconds(4))
        await engine.heartbeat(source: "bot7")          // t = 14: deadline 19
        clock.advance(by: .milliseconds(4_999))           // t = 18.999
        await Task.yield()
        #expect(trips.count == 0)
        clock.advance(by: .seconds(17))                   // t = 35.999: the 35 s timer wakes, deadline 19 has passed
        while trips.count == 0 { await Task.yield() }
        #expect(trips.count == 1)
        #expect(trips.last?.1.contains("bot7") == true)
    }

    @Test func doesNotFireAgainUntilRearmedAndRearmRestartsTheGrace() async {
        let clock = ManualClock()
        let trips = Trips()
        let engine = Self.engine([Self.heartbeatRule], clock: clock, trips: trips)
        await engine.start()
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(35))
        while trips.count == 0 { await Task.yield() }
        clock.advance(by: .seconds(100))
        await Task.yield()
        #expect(trips.count == 1)
        await engine.rearmed(ruleId: "bot7-alive", scope: Scope(venue: "binance"))        // t = 135: next deadline 170
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(170)))
        clock.advance(by: .seconds(35))
        while trips.count == 1 { await Task.yield() }
        #expect(trips.count == 2)
    }

    @Test func orderRateFiresOnTheOrderAboveTheLimitForThatAccount() async {
        let clock = ManualClock()
        let trips = Trips()
        let rule = RuleDefinition(id: "runaway", scope: .everything, kind: .orderRate(maxOrders: 3, window: .seconds(10), per: .account))
        let engine = Self.engine([rule], clock: clock, trips: trips)
        for _ in 0..<3 { await engine.ordersIngested(newOrders: [("binance", "main", "BTCUSD_PERP")], rejects: 0) }
        await engine.ordersIngested(newOrders: [("gate", "main", "BTC_USDT")], rejects: 0)
        #expect(trips.count == 0)
        clock.advance(by: .seconds(9))
        await engine.ordersIngested(newOrders: [("binance", "main", "ETHUSD_PERP")], rejects: 0)
        #expect(trips.count == 1)
        #expect(trips.last?.0 == Scope(venue: "binance", account: "main"))
    }

    @Test func orderRateLatchesPerTrippedScopeSoAnotherAccountIsStillWatched() async {
        let clock = ManualClock()
        let trips = Trips()
        let rule = RuleDefinition(id: "runaway", scope: .everything, kind: .orderRate(maxOrders: 3, window: .seconds(10), per: .account))
        let engine = Self.engine([rule], clock: clock, trips: trips)
        for _ in 0..<4 { await engine.ordersIngested(newOrders: [("binance", "main", "BTCUSD_PERP")], rejects: 0) }
        #expect(trips.count == 1)
        // Account A is tripped; account B runs away next and must trip too.
        for _ in 0..<4 { await engine.ordersIngested(newOrders: [("gate", "main", "BTC_USDT")], rejects: 0) }
        #expect(trips.count == 2)
        #expect(trips.last?.0 == Scope(venue: "gate", account: "main"))
        // A again: still latched, no second trip for it.
        await engine.ordersIngested(newOrders: [("binance", "main", "BTCUSD_PERP")], rejects: 0)
        #expect(trips.count == 2)
        // Each latch is judged on its own scope.
        #expect(await engine.conditionHolds(ruleId: "runaway", scope: Scope(venue: "gate", account: "main")))
        clock.advance(by: .seconds(11))
        #expect(await engine.conditionHolds(ruleId: "runaway", scope: Scope(venue: "gate", account: "main")) == false)
    }

    @Test func afterACrashTheStoredHeartbeatCountsAndNoGraceIsGiven() async {
        let clock = ManualClock()
        let trips = Trips()
        let engine = Self.engine([Self.heartbeatRule], clock: clock, trips: trips)
        // The previous process heard bot7 three seconds ago; timeout 5 s: it fires in 2 s, not after the 30 s grace.
        await engine.start(heartbeatAges: ["bot7": .seconds(3)])
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == clock.now.advanced(by: .seconds(2)))
        clock.advance(by: .seconds(2))
        while trips.count == 0 { await Task.yield() }
        #expect(trips.count == 1)
    }

    @Test func afterACleanStopEverySourceGetsItsGrace() async {
        let clock = ManualClock()
        let trips = Trips()
        let engine = Self.engine([Self.heartbeatRule], clock: clock, trips: trips)
        await engine.start(heartbeatAges: nil)
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == clock.now.advanced(by: .seconds(35)))
    }

    @Test func lossLimitFiresAtTheLimitNotBefore() async throws {
        let clock = ManualClock()
        let trips = Trips()
        let rule = RuleDefinition(id: "daily-loss", scope: .everything, kind: .lossLimit(venues: ["a", "b"], limit: DecimalAmount("1000")!))
        let engine = Self.engine([rule], clock: clock, trips: trips)
        let now = Date()
        func mark(_ venue: String, _ realized: String, _ unrealized: String) -> PnLMark {
            PnLMark(venue: venue, time: now, currency: "USDT", realizedToday: DecimalAmount(realized)!, unrealized: DecimalAmount(unrealized)!, equity: DecimalAmount("100000")!)
        }
        try await engine.pnl(mark("a", "-600", "0"), now: now)
        try await engine.pnl(mark("b", "-300", "-99.99"), now: now)
        #expect(trips.count == 0)
        try await engine.pnl(mark("b", "-300", "-100"), now: now)
        #expect(trips.count == 1)
        await #expect(throws: RuleError.self) {
            try await engine.pnl(PnLMark(venue: "a", time: now, currency: "BTC", realizedToday: .zero, unrealized: .zero, equity: .zero), now: now)
        }
    }

    @Test func exposureFiresAboveTheLimit() async {
        let clock = ManualClock()
        let trips = Trips()
        let rule = RuleDefinition(id: "too-much", scope: .everything, kind: .exposure(maxOpenOrders: 10, maxOpenNotional: nil))
        let engine = Self.engine([rule], clock: clock, trips: trips)
        await engine.exposureChanged { _ in (10, .zero) }
        #expect(trips.count == 0)
        await engine.exposureChanged { _ in (11, .zero) }
        #expect(trips.count == 1)
        #expect(await engine.conditionHolds(ruleId: "too-much", scope: .everything))
    }

    @Test func exposureIsMeasuredOnlyWhereOrdersChanged() async {
        let clock = ManualClock()
        let trips = Trips()
        let rule = RuleDefinition(id: "gate-cap", scope: Scope(venue: "gate"), kind: .exposure(maxOpenOrders: 10, maxOpenNotional: nil))
        let engine = Self.engine([rule], clock: clock, trips: trips)
        let measured = Mutex(0)
        await engine.exposureChanged(touching: [("binance", "main", "BTCUSD_PERP")]) { _ in measured.withLock { $0 += 1 }; return (11, .zero) }
        #expect(measured.withLock { $0 } == 0)
        #expect(trips.count == 0)
        await engine.exposureChanged(touching: [("gate", "main", "BTC_USDT")]) { _ in measured.withLock { $0 += 1 }; return (11, .zero) }
        #expect(measured.withLock { $0 } == 1)
        #expect(trips.count == 1)
    }

    @Test func rejectStormFiresAboveTheLimit() async {
        let clock = ManualClock()
        let trips = Trips()
        let rule = RuleDefinition(id: "rejects", scope: .everything, kind: .rejectStorm(maxRejects: 5, window: .seconds(60)))
        let engine = Self.engine([rule], clock: clock, trips: trips)
        await engine.ordersIngested(newOrders: [], rejects: 5)
        #expect(trips.count == 0)
        await engine.ordersIngested(newOrders: [], rejects: 1)
        #expect(trips.count == 1)
    }
}
