import Foundation
import Testing
@testable import KillSwitchCore

private func at(_ duration: Duration) -> ManualClock.Instant { .init(offset: duration) }
private func amount(_ text: String) -> DecimalAmount { DecimalAmount(text)! }

/// The PnL rules' inputs made robust: marks dated ahead refused, one dead feed no longer disabling drawdown,
/// and the `stale-feed` rule that trips on a feed gone quiet.
@Suite struct MarkSkewTests {
    let now = Date(timeIntervalSince1970: 1_764_072_000)  // 2025-11-25T12:00:00Z

    func mark(at offset: TimeInterval) -> PnLMark {
        PnLMark(venue: "binance-main", time: now.addingTimeInterval(offset), currency: "USD", realizedToday: .zero, unrealized: .zero, equity: .zero)
    }

    @Test func aMarkUpToTheSkewAheadIsTakenOneMillisecondMoreIsRefused() throws {
        try MarkSkew.check(mark(at: -3600), now: now, allowed: .seconds(5))
        try MarkSkew.check(mark(at: 5), now: now, allowed: .seconds(5))
        #expect(throws: RuleError.markAhead(venue: "binance-main", time: 1_764_072_005_001, now: 1_764_072_000_000, allowed: .seconds(5))) {
            try MarkSkew.check(mark(at: 5.001), now: now, allowed: .seconds(5))
        }
    }

    @Test func theRefusalNamesTheFieldTheTimesAndTheKey() {
        let error = RuleError.markAhead(venue: "binance-main", time: 1_764_075_600_000, now: 1_764_072_000_000, allowed: .seconds(5))
        #expect(error.field == "time")
        #expect(error.description == "2025-11-25T13:00:00.000Z is 1h ahead of the daemon's clock (2025-11-25T12:00:00.000Z); "
            + "a mark from binance-main may be at most 5s ahead ([pnl] mark_skew): check the sender's clock")
        #expect(RuleError.currencyMismatch(ruleId: "r", venue: "v", expected: "USD", got: "EUR").field == "currency")
    }
}

@Suite struct DeadFeedTests {
    let noon = Date(timeIntervalSince1970: 1_700_000_000)

    func mark(_ venue: String, equity: String = "0", realized: String = "0", at offset: TimeInterval = 0) -> PnLMark {
        PnLMark(venue: venue, time: noon.addingTimeInterval(offset), currency: "USDT", realizedToday: amount(realized), unrealized: .zero, equity: amount(equity))
    }

    @Test func drawdownWithOneDeadFeedEvaluatesWhatItHasAndSaysSo() throws {
        // b never reports today: the rule used to wait for it forever.
        var rule = DrawdownEvaluator(ruleId: "dd", venues: ["a", "b", "c"], limit: .absolute(amount("100")))
        try rule.record(mark("a", equity: "1000"))
        try rule.record(mark("c", equity: "500", at: 1))
        try rule.record(mark("a", equity: "899", at: 2))
        let evaluation = rule.evaluate(at: noon.addingTimeInterval(2))
        #expect(evaluation.fired)
        #expect(evaluation.value == "101 (partial)")
        #expect(evaluation.reason == "equity 1399 down 101 from the day's peak 1500, at or beyond 100; "
            + "partial: no equity mark of the trading day from b, summing a, c only (dd)")
        #expect(evaluation.measures == [RuleMeasure(name: "drawdown", value: 101, threshold: 100)])
        #expect(rule.missing(at: noon) == ["b"])
    }

    @Test func lossLimitNamesTheVenuesCountedAsZero() throws {
        var rule = LossLimitEvaluator(ruleId: "daily-loss", venues: ["a", "b"], limit: amount("100"))
        try rule.record(mark("a", realized: "-40"))
        #expect(rule.evaluate(at: noon).reason == "PnL -40 USDT above -100; no mark of the trading day from b (counted as 0) (daily-loss)")
        try rule.record(mark("b", realized: "-60", at: 1))
        #expect(rule.evaluate(at: noon).reason == "PnL -100 USDT at or below -100 (daily-loss)")
    }
}

@Suite struct FeedNameTests {
    @Test func readsKindAndName() {
        #expect(FeedName("pnl:binance-main") == .pnl(venue: "binance-main"))
        #expect(FeedName("heartbeat:bot:7") == .heartbeat(source: "bot:7"))
        #expect(FeedName("pnl:binance-main")?.description == "pnl:binance-main")
        for bad in ["binance-main", "pnl:", "orders:binance", ":x", "PNL:x"] { #expect(FeedName(bad) == nil, "\(bad)") }
    }
}

@Suite struct StaleFeedMonitorTests {
    let rule = RuleDefinition(id: "feed", scope: .everything, kind: .staleFeed(feed: .pnl(venue: "a"), maxAge: .seconds(60)))

    @Test func aSilentFeedIsStaleMaxAgeAfterArming() throws {
        let monitor = try #require(StaleFeedMonitor(rule: rule, armedAt: at(.seconds(100))))
        #expect(monitor.deadline == at(.seconds(160)))
        #expect(!monitor.isExpired(at: at(.seconds(160) - .nanoseconds(1))))
        #expect(monitor.isExpired(at: at(.seconds(160))))
        #expect(monitor.evaluate(at: at(.seconds(130))).reason == "waiting for pnl:a: nothing for 30s since arming (max age 1m) (feed)")
        #expect(monitor.evaluate(at: at(.seconds(160))).reason == "nothing from pnl:a for 1m since arming (max age 1m) (feed)")
        #expect(monitor.evaluate(at: at(.seconds(160))).measures == [RuleMeasure(name: "feed_age_seconds", value: 60, threshold: 60)])
    }

    @Test func theNewestDataSetsTheDeadlineOlderDataChangesNothing() throws {
        var monitor = try #require(StaleFeedMonitor(rule: rule, armedAt: at(.seconds(100))))
        #expect(monitor.record(currentAt: at(.seconds(110))) == false, "later than the arming deadline: the timer catches up")
        #expect(monitor.deadline == at(.seconds(170)))
        #expect(monitor.record(currentAt: at(.seconds(105))) == false)
        #expect(monitor.deadline == at(.seconds(170)))
        let evaluation = monitor.evaluate(at: at(.seconds(170)))
        #expect(evaluation.fired)
        #expect(evaluation.reason == "pnl:a is stale: newest data 1m old (max age 1m) (feed)")
    }

    @Test func dataOlderThanTheArmingMovesTheDeadlineEarlier() throws {
        // A restart that finds the feed's newest mark long gone, or a sender posting old marks.
        var monitor = try #require(StaleFeedMonitor(rule: rule, armedAt: at(.seconds(100))))
        #expect(monitor.record(currentAt: at(.seconds(10))) == true)
        #expect(monitor.isExpired(at: at(.seconds(100))))
        monitor.rearm(at: at(.seconds(200)))
        #expect(monitor.newest == nil)
        #expect(monitor.deadline == at(.seconds(260)))
    }
}
