import Foundation
import Logging
import Synchronization
import Testing
import KillSwitchCore
@testable import KillSwitchDaemon

/// The `stale-feed` rule and the PnL replay at start, in the rule engine on a manual clock: a timer set for the
/// feed's deadline (never polling), the wall clock moving with the manual one.
@Suite struct StaleFeedRuleTests {
    typealias Trips = RuleEngineTests.Trips

    /// 2025-11-25T12:00:00Z at the manual clock's zero.
    static let wallBase: Int64 = 1_764_072_000_000

    static func engine(_ rules: [RuleDefinition], clock: ManualClock, trips: Trips) -> RuleEngine<ManualClock> {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let wall = WallClock { wallBase + clock.now.offset.nanoseconds / 1_000_000 }
        return RuleEngine(rules: rules, tradingDay: TradingDay(), clock: clock, wallClock: wall, logger: logger) { scope, reason, rule in
            trips.calls.withLock { $0.append((scope, reason, rule)) }
            return Int64(trips.count)
        }
    }

    static func wallDate(_ clock: ManualClock, minus seconds: Double = 0) -> Date {
        Date(timeIntervalSince1970: Double(wallBase + clock.now.offset.nanoseconds / 1_000_000) / 1000 - seconds)
    }

    static func mark(_ venue: String, time: Date, realized: String = "0", equity: String = "1000") -> PnLMark {
        PnLMark(venue: venue, time: time, currency: "USD", realizedToday: DecimalAmount(realized)!, unrealized: .zero, equity: DecimalAmount(equity)!)
    }

    static let pnlFeed = RuleDefinition(id: "gate-pnl-feed", scope: Scope(venue: "gate"), kind: .staleFeed(feed: .pnl(venue: "gate"), maxAge: .seconds(60)))

    static func waitForTrips(_ trips: Trips, _ count: Int) async {
        while trips.count < count { await Task.yield() }
    }

    @Test func aPnLFeedTripsMaxAgeAfterItsNewestMarksOwnTime() async throws {
        let clock = ManualClock()
        let trips = Trips()
        let engine = Self.engine([Self.pnlFeed], clock: clock, trips: trips)
        await engine.start()
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(60)), "silent since start: stale max_age after it")
        clock.advance(by: .seconds(10))
        // A mark dated 5 s ago: the feed's data is as of t = 5, so it is stale at t = 65.
        try await engine.pnl(Self.mark("gate", time: Self.wallDate(clock, minus: 5)))
        try await engine.pnl(Self.mark("binance", time: Self.wallDate(clock)))  // another venue's feed
        clock.advance(to: ManualClock.Instant(offset: .seconds(60)))
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(65)))
        #expect(trips.count == 0)
        let status = try #require(await engine.evaluations().first { $0.ruleId == "gate-pnl-feed" })
        #expect(status.reason == "pnl:gate newest data 55s old (max age 1m) (gate-pnl-feed)")
        clock.advance(by: .seconds(5))
        await Self.waitForTrips(trips, 1)
        #expect(trips.last?.0 == Scope(venue: "gate"))
        #expect(trips.last?.1 == "pnl:gate is stale: newest data 1m old (max age 1m) (gate-pnl-feed)")
        #expect(trips.last?.2 == "gate-pnl-feed")
        #expect(await engine.conditionHolds(ruleId: "gate-pnl-feed", scope: Scope(venue: "gate")))
    }

    @Test func aMarkWithAnOldTimeBringsTheDeadlineForward() async throws {
        let clock = ManualClock()
        let trips = Trips()
        let engine = Self.engine([Self.pnlFeed], clock: clock, trips: trips)
        await engine.start()
        await clock.waitForSleepers(count: 1)
        // The sender is alive but its marks are an hour old: the feed is stale now, not at the 60 s timer.
        try await engine.pnl(Self.mark("gate", time: Self.wallDate(clock, minus: 3600)))
        await Self.waitForTrips(trips, 1)
        #expect(clock.now == .zero)
        #expect(trips.last?.1.contains("newest data 1h old") == true)
    }

    @Test func aHeartbeatFeedIsWatchedAndTripsMaxAgeAfterTheLastBeat() async throws {
        let clock = ManualClock()
        let trips = Trips()
        let rule = RuleDefinition(id: "bot7-feed", scope: .everything, kind: .staleFeed(feed: .heartbeat(source: "bot7"), maxAge: .seconds(5)))
        let engine = Self.engine([rule], clock: clock, trips: trips)
        await engine.start()
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(2))
        #expect(await engine.heartbeat(source: "bot7"), "a stale-feed rule watches the source")
        #expect(await !engine.heartbeat(source: "bot8"))
        clock.advance(by: .seconds(3))  // t = 5: the first timer wakes and sleeps again until 7
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(7)))
        #expect(trips.count == 0)
        clock.advance(by: .seconds(2))
        await Self.waitForTrips(trips, 1)
        #expect(trips.last?.2 == "bot7-feed")
    }

    @Test func reArmingJudgesTheFeedFromTheReArm() async throws {
        let clock = ManualClock()
        let trips = Trips()
        let engine = Self.engine([Self.pnlFeed], clock: clock, trips: trips)
        await engine.start()
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(60))
        await Self.waitForTrips(trips, 1)
        clock.advance(by: .seconds(40))
        #expect(trips.count == 1, "latched: no second trip")
        await engine.rearmed(ruleId: "gate-pnl-feed", scope: Scope(venue: "gate"))
        #expect(await !engine.conditionHolds(ruleId: "gate-pnl-feed", scope: Scope(venue: "gate")))
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(160)))
        clock.advance(by: .seconds(60))
        await Self.waitForTrips(trips, 2)
    }

    @Test func atStartAFeedIsAsOldAsItsNewestStoredMark() async throws {
        let clock = ManualClock()
        let trips = Trips()
        let engine = Self.engine([Self.pnlFeed], clock: clock, trips: trips)
        await engine.start(pnlFeedAges: ["gate": .seconds(50)])
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(10)))
        clock.advance(by: .seconds(10))
        await Self.waitForTrips(trips, 1)
    }

    @Test func theDaysMarksAreReplayedAtStartPeakAndLatestMarksIncluded() async throws {
        let clock = ManualClock()
        let trips = Trips()
        let drawdown = RuleDefinition(id: "dd", scope: .everything, kind: .drawdown(venues: ["a", "b"], limit: .absolute(DecimalAmount("200")!)))
        let loss = RuleDefinition(id: "daily-loss", scope: .everything, kind: .lossLimit(venues: ["a", "b"], limit: DecimalAmount("500")!))
        let engine = Self.engine([drawdown, loss], clock: clock, trips: trips)
        let morning = Self.wallDate(clock, minus: 3600)
        await engine.start(pnlMarks: [
            Self.mark("a", time: morning, realized: "-100", equity: "1000"),
            Self.mark("b", time: morning.addingTimeInterval(1), realized: "-200", equity: "500"),   // peak 1500
            Self.mark("a", time: morning.addingTimeInterval(2), realized: "-150", equity: "900"),   // 1400
        ])
        #expect(trips.count == 0)
        let status = await engine.evaluations()
        #expect(status.first { $0.ruleId == "dd" }?.reason == "equity 1400 down 100 from the day's peak 1500, within 200 (dd)")
        #expect(status.first { $0.ruleId == "daily-loss" }?.value == "-350")
        // The next live mark continues from the replayed day: 1280 is 220 below the 1500 peak.
        try await engine.pnl(Self.mark("a", time: Self.wallDate(clock), realized: "-150", equity: "780"))
        #expect(trips.count == 1)
        #expect(trips.last?.2 == "dd")
    }

    @Test func aReplayedDayAlreadyPastItsLimitTripsAtStart() async throws {
        let clock = ManualClock()
        let trips = Trips()
        let loss = RuleDefinition(id: "daily-loss", scope: .everything, kind: .lossLimit(venues: ["a"], limit: DecimalAmount("500")!))
        let engine = Self.engine([loss], clock: clock, trips: trips)
        await engine.start(pnlMarks: [Self.mark("a", time: Self.wallDate(clock, minus: 60), realized: "-600")])
        #expect(trips.count == 1)
        #expect(trips.last?.2 == "daily-loss")
        // Latched by an incident still tripped: a restart does not trip it again.
        let again = Self.engine([loss], clock: clock, trips: trips)
        await again.start(latched: [.init(ruleId: "daily-loss", scope: .everything): 1],
                          pnlMarks: [Self.mark("a", time: Self.wallDate(clock, minus: 60), realized: "-600")])
        #expect(trips.count == 1)
    }
}
