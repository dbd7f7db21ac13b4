import Foundation
import Testing
@testable import KillSwitchCore

private func at(_ duration: Duration) -> ManualClock.Instant { .init(offset: duration) }
private func amount(_ text: String) -> DecimalAmount { DecimalAmount(text)! }

@Suite struct HeartbeatMonitorTests {
    @Test func firstDeadlineIsArmPlusGracePlusTimeout() {
        let monitor = HeartbeatMonitor(ruleId: "bot7-alive", source: "bot7", timeout: .seconds(5), grace: .seconds(30), armedAt: at(.seconds(100)))
        #expect(monitor.deadline == at(.seconds(135)))
        #expect(!monitor.isExpired(at: at(.seconds(135) - .nanoseconds(1))))
        #expect(monitor.isExpired(at: at(.seconds(135))))
        let evaluation = monitor.evaluate(at: at(.seconds(135)))
        #expect(evaluation.fired)
        #expect(evaluation.value == "35s")
        #expect(evaluation.threshold == "35s")
        #expect(!monitor.evaluate(at: at(.seconds(134))).fired)
    }

    @Test func heartbeatsMoveTheDeadlineByExactlyTheTimeout() {
        var monitor = HeartbeatMonitor(ruleId: "r", source: "bot", timeout: .milliseconds(250), grace: .seconds(30), armedAt: at(.zero))
        // A heartbeat during the grace ends it: the source is up.
        #expect(monitor.recordHeartbeat(at: at(.seconds(1))) == at(.milliseconds(1250)))
        #expect(!monitor.inGrace)
        #expect(!monitor.isExpired(at: at(.milliseconds(1250) - .nanoseconds(1))))
        #expect(monitor.isExpired(at: at(.milliseconds(1250))))
        monitor.recordHeartbeat(at: at(.milliseconds(1200)))
        #expect(monitor.deadline == at(.milliseconds(1450)))
        // An older heartbeat (out of order) is ignored.
        monitor.recordHeartbeat(at: at(.milliseconds(1100)))
        #expect(monitor.deadline == at(.milliseconds(1450)))
        let evaluation = monitor.evaluate(at: at(.milliseconds(1450)))
        #expect(evaluation.fired)
        #expect(evaluation.value == "250ms")
        #expect(evaluation.reason == "no heartbeat from bot for 250ms (timeout 250ms) (r)")
    }

    @Test func rearmRestartsTheGrace() {
        var monitor = HeartbeatMonitor(ruleId: "r", source: "bot", timeout: .seconds(5), grace: .seconds(30), armedAt: at(.zero))
        monitor.recordHeartbeat(at: at(.seconds(1)))
        #expect(monitor.isExpired(at: at(.seconds(6))))
        monitor.rearm(at: at(.seconds(60)))
        #expect(monitor.inGrace)
        #expect(monitor.deadline == at(.seconds(95)))
        #expect(!monitor.isExpired(at: at(.seconds(95) - .nanoseconds(1))))
        #expect(monitor.isExpired(at: at(.seconds(95))))
        // A heartbeat received before the re-arm does not count for the new arming.
        monitor.recordHeartbeat(at: at(.seconds(59)))
        #expect(monitor.inGrace)
        #expect(monitor.deadline == at(.seconds(95)))
    }

    @Test func zeroGraceMeansOneTimeoutFromStart() {
        let rule = RuleDefinition(id: "h", scope: .everything, kind: .heartbeat(source: "s", timeout: .seconds(2), grace: .zero))
        let monitor = HeartbeatMonitor(rule: rule, armedAt: ContinuousClock.now)!
        #expect(monitor.deadline == monitor.armedAt.advanced(by: .seconds(2)))
        #expect(HeartbeatMonitor<ManualClock.Instant>(rule: RuleDefinition(id: "x", scope: .everything, kind: .rejectStorm(maxRejects: 1, window: .seconds(1))), armedAt: .zero) == nil)
    }

    @Test func timerOnTheManualClockFiresAtTheDeadline() async throws {
        let clock = ManualClock()
        var monitor = HeartbeatMonitor(ruleId: "r", source: "bot", timeout: .seconds(5), grace: .seconds(10), armedAt: clock.now)
        monitor.recordHeartbeat(at: clock.now.advanced(by: .seconds(3)))
        let deadline = monitor.deadline
        let frozen = monitor
        let timer = Task { () throws -> Bool in
            try await clock.sleep(until: deadline, tolerance: nil)
            return frozen.isExpired(at: clock.now)
        }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(8) - .nanoseconds(1))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .nanoseconds(1))
        #expect(try await timer.value)
        #expect(clock.now == at(.seconds(8)))
    }
}

@Suite struct LossLimitTests {
    let noon = Date(timeIntervalSince1970: 1_700_000_000)  // 2023-11-14T22:13:20Z

    func mark(_ venue: String, _ realized: String, _ unrealized: String, time: Date? = nil, currency: String = "USDT", equity: String = "100000") -> PnLMark {
        PnLMark(venue: venue, time: time ?? noon, currency: currency, realizedToday: amount(realized), unrealized: amount(unrealized), equity: amount(equity))
    }

    @Test(arguments: [("-24999.99", false), ("-25000", true), ("-25000.01", true)])
    func firesExactlyAtTheThreshold(pnl: String, fires: Bool) throws {
        var rule = LossLimitEvaluator(ruleId: "daily-loss", venues: ["binance-main", "gate-main"], limit: amount("25000"))
        // Split over two venues and realized + unrealized.
        try rule.record(mark("binance-main", "-10000", "0"))
        let rest = amount(pnl).decimal + 10000
        try rule.record(mark("gate-main", "0", DecimalAmount(rest).text))
        let evaluation = rule.evaluate(at: noon)
        #expect(evaluation.fired == fires)
        #expect(evaluation.value == pnl)
        #expect(evaluation.threshold == "-25000")
        if fires && pnl == "-25000" {
            #expect(evaluation.reason == "PnL -25000 USDT at or below -25000 (daily-loss)")
        }
    }

    @Test func latestMarkPerVenueWins() throws {
        var rule = LossLimitEvaluator(ruleId: "r", venues: ["a"], limit: amount("100"))
        try rule.record(mark("a", "-150", "0", time: noon))
        #expect(rule.evaluate(at: noon).fired)
        try rule.record(mark("a", "-50", "0", time: noon.addingTimeInterval(1)))
        #expect(!rule.evaluate(at: noon).fired)
        // An older mark arriving late does not replace a newer one.
        #expect(try rule.record(mark("a", "-500", "0", time: noon.addingTimeInterval(-5))) == false)
        #expect(rule.pnl(at: noon) == -50)
        // Marks of venues not in the rule are ignored.
        #expect(try rule.record(mark("other", "-1000", "0")) == false)
        #expect(rule.pnl(at: noon) == -50)
    }

    @Test func marksOfAnotherCurrencyAreAnError() throws {
        var rule = LossLimitEvaluator(ruleId: "r", venues: ["a", "b"], limit: amount("100"))
        try rule.record(mark("a", "-1", "0", currency: "USDT"))
        #expect(rule.currency == "USDT")
        #expect(throws: RuleError.currencyMismatch(ruleId: "r", venue: "b", expected: "USDT", got: "USD")) {
            try rule.record(mark("b", "-1000", "0", currency: "USD"))
        }
        #expect(rule.pnl(at: noon) == -1)
        var configured = LossLimitEvaluator(ruleId: "r", venues: ["a"], limit: amount("1"), currency: "USD")
        #expect(throws: RuleError.self) { try configured.record(mark("a", "0", "0", currency: "USDT")) }
    }

    @Test func tradingDayRollover() throws {
        let midnight = Date(timeIntervalSince1970: 1_700_006_400)  // 2023-11-15T00:00:00Z
        var rule = LossLimitEvaluator(ruleId: "r", venues: ["a"], limit: amount("100"))
        try rule.record(mark("a", "-500", "0", time: midnight.addingTimeInterval(-1)))
        #expect(rule.evaluate(at: midnight.addingTimeInterval(-1)).fired)
        #expect(!rule.evaluate(at: midnight).fired)
        #expect(rule.pnl(at: midnight) == 0)
        try rule.record(mark("a", "-100", "0", time: midnight))
        #expect(rule.evaluate(at: midnight).fired)
    }

    @Test func tradingDayStartAndTimeZone() {
        let day = TradingDay(startMinute: 22 * 60, timeZoneIdentifier: "UTC")
        let before = Date(timeIntervalSince1970: 1_700_000_000 - 800 - 1)  // 2023-11-14T21:59:59Z
        let start = Date(timeIntervalSince1970: 1_700_000_000 - 800)        // 2023-11-14T22:00:00Z
        #expect(day.dayNumber(of: before) + 1 == day.dayNumber(of: start))
        #expect(day.start(ofDayContaining: start.addingTimeInterval(3600)) == start)

        let tokyo = TradingDay(startMinute: 0, timeZoneIdentifier: "Asia/Tokyo")  // UTC+9, no DST
        let tokyoMidnight = Date(timeIntervalSince1970: 1_700_006_400 - 9 * 3600 + 86_400)  // 2023-11-16T00:00+09:00
        #expect(tokyo.dayNumber(of: tokyoMidnight.addingTimeInterval(-1)) + 1 == tokyo.dayNumber(of: tokyoMidnight))
        #expect(tokyo.start(ofDayContaining: tokyoMidnight.addingTimeInterval(5000)) == tokyoMidnight)
    }
}

@Suite struct DrawdownTests {
    let noon = Date(timeIntervalSince1970: 1_700_000_000)

    func mark(_ venue: String, equity: String, at offset: TimeInterval = 0) -> PnLMark {
        PnLMark(venue: venue, time: noon.addingTimeInterval(offset), currency: "USDT", realizedToday: .zero, unrealized: .zero, equity: amount(equity))
    }

    @Test(arguments: [("92000.01", false), ("92000", true), ("91999.99", true)])
    func percentFiresExactlyAtTheThreshold(equity: String, fires: Bool) throws {
        var rule = DrawdownEvaluator(ruleId: "drawdown", venues: ["a", "b"], limit: .percent(amount("8")))
        try rule.record(mark("a", equity: "60000"))
        try rule.record(mark("b", equity: "40000", at: 1))
        #expect(rule.peak == 100000)
        let rest = amount(equity).decimal - 40000
        try rule.record(mark("a", equity: DecimalAmount(rest).text, at: 2))
        let evaluation = rule.evaluate(at: noon.addingTimeInterval(2))
        #expect(evaluation.fired == fires)
        #expect(evaluation.threshold == "8% of 100000 = 8000")
    }

    @Test(arguments: [("4999", false), ("5000", true), ("5001", true)])
    func absoluteFiresExactlyAtTheThreshold(drop: String, fires: Bool) throws {
        var rule = DrawdownEvaluator(ruleId: "dd", venues: ["a"], limit: .absolute(amount("5000")))
        try rule.record(mark("a", equity: "50000"))
        try rule.record(mark("a", equity: "70000", at: 1))  // the peak
        try rule.record(mark("a", equity: DecimalAmount(70000 - amount(drop).decimal).text, at: 2))
        let evaluation = rule.evaluate(at: noon.addingTimeInterval(2))
        #expect(evaluation.fired == fires)
        #expect(evaluation.value == drop)
    }

    @Test func sumsTheVenuesItHasAndResetsThePeakAtRollover() throws {
        let midnight = Date(timeIntervalSince1970: 1_700_006_400)
        var rule = DrawdownEvaluator(ruleId: "dd", venues: ["a", "b"], limit: .absolute(amount("10")))
        #expect(rule.evaluate(at: noon).reason == "waiting for equity marks of the trading day from a, b (dd)")
        try rule.record(mark("a", equity: "100"))
        #expect(rule.peak == 100)
        #expect(!rule.evaluate(at: noon).fired)
        #expect(rule.evaluate(at: noon).reason.contains("partial: no equity mark of the trading day from b, summing a only"))
        // b joining only raises the sum (and the peak to the fuller figure): never a false drop.
        try rule.record(mark("b", equity: "100", at: 1))
        #expect(rule.peak == 200)
        #expect(!rule.evaluate(at: noon.addingTimeInterval(1)).reason.contains("partial"))
        // Next trading day: yesterday's peak does not count.
        let nextDay = midnight.timeIntervalSince(noon)
        try rule.record(mark("a", equity: "50", at: nextDay))
        #expect(!rule.evaluate(at: midnight).fired)
        try rule.record(mark("b", equity: "50", at: nextDay + 1))
        #expect(rule.peak == 100)
        #expect(!rule.evaluate(at: midnight.addingTimeInterval(1)).fired)
        try rule.record(mark("b", equity: "40", at: nextDay + 2))
        #expect(rule.evaluate(at: midnight.addingTimeInterval(2)).fired)
    }
}

@Suite struct SlidingWindowRuleTests {
    @Test func orderRateFiresAboveTheLimitWithinTheWindow() {
        var rule = OrderRateMonitor<ManualClock.Instant>(ruleId: "runaway", maxOrders: 3, window: .seconds(10), per: .account)
        for second in 0..<3 {
            #expect(!rule.recordNewOrder(venue: "v", account: "a", symbol: "BTC", at: at(.seconds(second))).fired)
        }
        // The 4th order within 10 s fires…
        let fourth = rule.recordNewOrder(venue: "v", account: "a", symbol: "ETH", at: at(.seconds(10) - .nanoseconds(1)))
        #expect(fourth.fired)
        #expect(fourth.scope == Scope(venue: "v", account: "a"))
        #expect(fourth.reason == "more than 3 new orders in 10s on venue=v account=a, limit 3 (runaway)")
    }

    @Test func windowBoundaryAnOrderExactlyOneWindowOldHasLeft() {
        var rule = OrderRateMonitor<ManualClock.Instant>(ruleId: "r", maxOrders: 3, window: .seconds(10), per: .account)
        for second in 0..<3 { _ = rule.recordNewOrder(venue: "v", account: "a", symbol: "S", at: at(.seconds(second))) }
        let evaluation = rule.recordNewOrder(venue: "v", account: "a", symbol: "S", at: at(.seconds(10)))
        #expect(!evaluation.fired)
        #expect(evaluation.value == "3")
        #expect(rule.recordNewOrder(venue: "v", account: "a", symbol: "S", at: at(.seconds(11) - .nanoseconds(1))).fired)
        #expect(rule.evaluate(at: at(.seconds(11) - .nanoseconds(1))).fired)
        #expect(!rule.evaluate(at: at(.seconds(11))).fired)
    }

    @Test func perAccountSymbolCountsSeparately() {
        var rule = OrderRateMonitor<ManualClock.Instant>(ruleId: "r", maxOrders: 2, window: .seconds(1), per: .accountSymbol)
        for symbol in ["A", "B", "A", "B"] {
            #expect(!rule.recordNewOrder(venue: "v", account: "a", symbol: symbol, at: .zero).fired)
        }
        let third = rule.recordNewOrder(venue: "v", account: "a", symbol: "A", at: .zero)
        #expect(third.fired)
        #expect(third.scope == Scope(venue: "v", account: "a", symbol: "A"))
    }

    @Test func memoryIsBounded() {
        var rule = OrderRateMonitor<ManualClock.Instant>(ruleId: "r", maxOrders: 5, window: .seconds(1), per: .accountSymbol)
        var counter = SlidingWindowCounter<ManualClock.Instant>(window: .seconds(1), cap: 6)
        for index in 0..<100_000 {
            let instant = at(.milliseconds(index))
            _ = rule.recordNewOrder(venue: "v", account: "a", symbol: "S\(index % 3)", at: instant)
            counter.record(at: instant)
            #expect(counter.storedCount <= 6 + 65 + 6)
        }
        _ = rule.evaluate(at: at(.seconds(200)))
        #expect(rule.trackedKeys == 0)
    }

    @Test func rejectStorm() {
        var rule = RejectStormMonitor<ManualClock.Instant>(ruleId: "rejects", maxRejects: 50, window: .seconds(60))
        for index in 0..<50 {
            #expect(!rule.recordReject(at: at(.seconds(index))).fired)
        }
        #expect(rule.recordReject(at: at(.seconds(59))).fired)
        #expect(!rule.evaluate(at: at(.seconds(60))).fired)  // the first reject has left the window
        #expect(rule.evaluate(at: at(.seconds(60))).value == "50")
    }
}

@Suite struct ExposureTests {
    @Test(arguments: [(5000, false), (5001, true)])
    func openOrderCount(count: Int, fires: Bool) {
        let rule = ExposureEvaluator(ruleId: "too-much", maxOpenOrders: 5000, maxOpenNotional: amount("2000000"))
        #expect(rule.evaluate(openOrders: count, openNotional: amount("1")).fired == fires)
    }

    @Test(arguments: [("1999999.99", false), ("2000000", false), ("2000000.01", true)])
    func openNotional(notional: String, fires: Bool) {
        let rule = ExposureEvaluator(ruleId: "too-much", maxOpenOrders: nil, maxOpenNotional: amount("2000000"))
        let evaluation = rule.evaluate(openOrders: 1_000_000, openNotional: amount(notional))
        #expect(evaluation.fired == fires)
        #expect(evaluation.threshold == "notional 2000000")
    }

    @Test func notional() {
        // Linear: price × quantity × multiplier (Gate futures: contracts × multiplier).
        #expect(Notional.of(price: amount("64250.5"), quantity: amount("3"), contract: ContractSpec(multiplier: amount("0.0001"), inverse: false)) == amount("19.27515"))
        // Spot / no spec: price × quantity.
        #expect(Notional.of(price: amount("2"), quantity: amount("-1.5"), contract: nil) == amount("3"))
        // Inverse (COIN-M): quantity × USD per contract, price does not enter.
        #expect(Notional.of(price: amount("64250.5"), quantity: amount("7"), contract: ContractSpec(multiplier: amount("100"), inverse: true)) == amount("700"))
    }
}
