import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchDaemon

/// `RuleEngine.reload` (SIGHUP) on a manual clock: unchanged rules keep their state, new and changed ones
/// start fresh, removed ones stop.
@Suite struct RuleReloadTests {
    typealias Trips = RuleEngineTests.Trips

    /// Lets the engine's timer tasks run until `condition` holds; false if it never does (no hang on failure).
    static func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<100_000 {
            if condition() { return true }
            await Task.yield()
        }
        return condition()
    }

    static func heartbeat(_ id: String, source: String, timeout: Duration = .seconds(5), grace: Duration = .seconds(30)) -> RuleDefinition {
        RuleDefinition(id: id, scope: .everything, kind: .heartbeat(source: source, timeout: timeout, grace: grace))
    }

    @Test func anUnchangedRuleKeepsItsDeadlineAndANewOneIsArmedFromTheReload() async {
        let clock = ManualClock()
        let trips = Trips()
        let bot7 = Self.heartbeat("bot7-alive", source: "bot7")
        let engine = RuleEngineTests.engine([bot7], clock: clock, trips: trips)
        await engine.start()
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(10))
        let result = await engine.reload(rules: [bot7, Self.heartbeat("bot8-alive", source: "bot8")], tradingDay: TradingDay())
        #expect(result.added == ["bot8-alive"])
        #expect(result.kept == ["bot7-alive"])
        #expect(result.changed.isEmpty && result.removed.isEmpty)
        await clock.waitForSleepers(count: 2)
        // bot7 still due at 35 s (from start); bot8 at 10 + 30 + 5 = 45 s.
        clock.advance(to: ManualClock.Instant(offset: .seconds(35) - .milliseconds(1)))
        await Task.yield()
        #expect(trips.count == 0)
        clock.advance(to: ManualClock.Instant(offset: .seconds(35)))
        #expect(await Self.eventually { trips.count > 0 })
        #expect(trips.last?.2 == "bot7-alive")
        clock.advance(to: ManualClock.Instant(offset: .seconds(45) - .milliseconds(1)))
        await Task.yield()
        #expect(trips.count == 1)
        clock.advance(to: ManualClock.Instant(offset: .seconds(45)))
        #expect(await Self.eventually { trips.count > 1 })
        #expect(trips.last?.2 == "bot8-alive")
        #expect(await engine.heartbeat(source: "bot8"), "the new rule watches its source")
    }

    @Test func aChangedRuleStartsAgainFromTheReload() async {
        let clock = ManualClock()
        let trips = Trips()
        let engine = RuleEngineTests.engine([Self.heartbeat("bot7-alive", source: "bot7")], clock: clock, trips: trips)
        await engine.start()
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(10))
        let result = await engine.reload(rules: [Self.heartbeat("bot7-alive", source: "bot7", timeout: .seconds(6))], tradingDay: TradingDay())
        #expect(result.changed == ["bot7-alive"])
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(46)), "10 s + grace 30 s + the new timeout 6 s")
        #expect(clock.sleeperCount == 1, "the old timer is gone")
        clock.advance(to: ManualClock.Instant(offset: .seconds(46)))
        #expect(await Self.eventually { trips.count > 0 })
        #expect(trips.count == 1)
    }

    @Test func aRemovedRuleStops() async {
        let clock = ManualClock()
        let trips = Trips()
        let engine = RuleEngineTests.engine([Self.heartbeat("bot7-alive", source: "bot7")], clock: clock, trips: trips)
        await engine.start()
        await clock.waitForSleepers(count: 1)
        #expect(await engine.reload(rules: [], tradingDay: TradingDay()).removed == ["bot7-alive"])
        #expect(await Self.eventually { clock.sleeperCount == 0 })
        clock.advance(by: .seconds(1000))
        await Task.yield()
        #expect(trips.count == 0)
        #expect(await !engine.heartbeat(source: "bot7"))
        #expect(await engine.evaluations().isEmpty)
    }

    @Test func aLatchedRuleThatChangesStaysLatchedUntilRearmed() async {
        let clock = ManualClock()
        let trips = Trips()
        let engine = RuleEngineTests.engine([Self.heartbeat("bot7-alive", source: "bot7")], clock: clock, trips: trips)
        await engine.start()
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(35))
        #expect(await Self.eventually { trips.count > 0 })
        await engine.reload(rules: [Self.heartbeat("bot7-alive", source: "bot7", timeout: .seconds(1), grace: .seconds(1))], tradingDay: TradingDay())
        clock.advance(by: .seconds(100))
        await Task.yield()
        #expect(trips.count == 1, "its incident is still latched")
        await engine.rearmed(ruleId: "bot7-alive", scope: .everything)          // t = 135: grace 1 s + timeout 1 s
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(137)))
    }

    @Test func anUnchangedOrderRateRuleKeepsItsWindow() async {
        let clock = ManualClock()
        let trips = Trips()
        let rule = RuleDefinition(id: "runaway", scope: .everything, kind: .orderRate(maxOrders: 2, window: .seconds(10), per: .account))
        let engine = RuleEngineTests.engine([rule], clock: clock, trips: trips)
        await engine.start()
        let order = [(venue: "gate", account: "main", symbol: "BTC_USDT")]
        await engine.ordersIngested(newOrders: order + order, rejects: 0)
        #expect(await engine.reload(rules: [rule], tradingDay: TradingDay()).kept == ["runaway"])
        await engine.ordersIngested(newOrders: order, rejects: 0)
        #expect(trips.count == 1, "the third order in the window counts the two from before the reload")

        let changed = RuleDefinition(id: "runaway", scope: .everything, kind: .orderRate(maxOrders: 3, window: .seconds(10), per: .account))
        await engine.rearmed(ruleId: "runaway", scope: Scope(venue: "gate", account: "main"))
        #expect(await engine.reload(rules: [changed], tradingDay: TradingDay()).changed == ["runaway"])
        await engine.ordersIngested(newOrders: order + order + order, rejects: 0)
        #expect(trips.count == 1, "a changed rule starts with an empty window")
    }
}

extension RuleReloadTests {
    /// Found while adding reload: the first heartbeat during the grace brings the deadline forward, and the
    /// timer must follow it (it used to wait for the grace timer: here 35 s instead of 15 s).
    @Test func aHeartbeatDuringTheGraceBringsTheTimerForward() async {
        let clock = ManualClock()
        let trips = Trips()
        let engine = RuleEngineTests.engine([Self.heartbeat("bot7-alive", source: "bot7")], clock: clock, trips: trips)
        await engine.start()
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(10))
        await engine.heartbeat(source: "bot7")               // deadline 15 s
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(15)), "the grace timer (35 s) was replaced")
        clock.advance(to: ManualClock.Instant(offset: .seconds(15) - .milliseconds(1)))
        await Task.yield()
        #expect(trips.count == 0)
        clock.advance(to: ManualClock.Instant(offset: .seconds(15)))
        #expect(await Self.eventually { trips.count > 0 })
        #expect(trips.count == 1)
        #expect(clock.now == ManualClock.Instant(offset: .seconds(15)))
    }
}
