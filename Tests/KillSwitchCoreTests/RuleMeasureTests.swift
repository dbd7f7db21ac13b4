import Foundation
import Testing
@testable import KillSwitchCore

/// Each rule's value and threshold as numbers (the metrics' `killswitch_rule_value` / `_threshold`), from the
/// same evaluation that decides whether it fires.
@Suite struct RuleMeasureTests {
    @Test func heartbeatSilenceAgainstGracePlusTimeoutThenTheTimeout() {
        let clock = ManualClock()
        var monitor = HeartbeatMonitor(ruleId: "bot7-alive", source: "bot7", timeout: .seconds(5), grace: .seconds(30), armedAt: clock.now)
        #expect(monitor.evaluate(at: clock.now.advanced(by: .seconds(10))).measures == [RuleMeasure(name: "silence_seconds", value: 10, threshold: 35)])
        monitor.recordHeartbeat(at: clock.now.advanced(by: .seconds(12)))
        #expect(monitor.evaluate(at: clock.now.advanced(by: .milliseconds(13_500))).measures == [RuleMeasure(name: "silence_seconds", value: 1.5, threshold: 5)])
    }

    @Test func countsPnLDrawdownAndExposure() throws {
        let clock = ManualClock()
        var rate = OrderRateMonitor<ManualClock.Instant>(ruleId: "runaway", maxOrders: 3, window: .seconds(10), per: .account)
        _ = rate.recordNewOrder(venue: "v", account: "a", symbol: "s", at: clock.now)
        #expect(rate.recordNewOrder(venue: "v", account: "a", symbol: "s", at: clock.now).measures == [RuleMeasure(name: "new_orders", value: 2, threshold: 3)])
        var rejects = RejectStormMonitor<ManualClock.Instant>(ruleId: "rejects", maxRejects: 50, window: .seconds(60))
        #expect(rejects.recordReject(at: clock.now).measures == [RuleMeasure(name: "rejects", value: 1, threshold: 50)])

        let day = Date(timeIntervalSince1970: 1_764_065_700)
        var loss = LossLimitEvaluator(ruleId: "daily-loss", venues: ["v"], limit: DecimalAmount("25000")!)
        try loss.record(PnLMark(venue: "v", time: day, currency: "USDT", realizedToday: DecimalAmount("-100.5")!, unrealized: DecimalAmount("-20")!, equity: DecimalAmount("1000")!))
        #expect(loss.evaluate(at: day).measures == [RuleMeasure(name: "pnl", value: -120.5, threshold: -25_000)])

        var drawdown = DrawdownEvaluator(ruleId: "dd", venues: ["v"], limit: .percent(DecimalAmount("10")!))
        #expect(drawdown.evaluate(at: day).measures.isEmpty, "no marks yet: nothing measured")
        try drawdown.record(PnLMark(venue: "v", time: day, currency: "USDT", realizedToday: .zero, unrealized: .zero, equity: DecimalAmount("1000")!))
        try drawdown.record(PnLMark(venue: "v", time: day.addingTimeInterval(60), currency: "USDT", realizedToday: .zero, unrealized: .zero, equity: DecimalAmount("950")!))
        #expect(drawdown.evaluate(at: day.addingTimeInterval(60)).measures == [RuleMeasure(name: "drawdown", value: 50, threshold: 100)])

        let exposure = ExposureEvaluator(ruleId: "too-much", maxOpenOrders: 10, maxOpenNotional: nil)
        #expect(exposure.evaluate(openOrders: 12, openNotional: DecimalAmount("5")!).measures == [RuleMeasure(name: "open_orders", value: 12, threshold: 10)])
    }
}
