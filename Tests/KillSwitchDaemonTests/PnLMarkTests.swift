import Foundation
import Logging
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore

/// PnL marks end to end: a mark dated ahead is refused over the control API, naming `time`; a daemon restarted
/// on the same database keeps the trading day's latest marks and drawdown peak.
extension EngineIntegration {
@Suite(.serialized) struct PnLMarkTests {
    static func body(time: String, realized: String = "0", equity: String = "1000", venue: String = "binance") -> String {
        #"{"venue": "\#(venue)", "time": "\#(time)", "currency": "USD", "realizedToday": "\#(realized)", "unrealized": "0", "equity": "\#(equity)"}"#
    }

    @Test func aMarkDatedAheadIsRefusedNamingTimeAndDoesNotBlockTheNextMark() async throws {
        let loss = RuleDefinition(id: "daily-loss", scope: Scope(venue: "binance"), kind: .lossLimit(venues: ["binance"], limit: DecimalAmount("100")!))
        let fixture = try await ControlFixture.start(rules: [loss])
        defer { Task { await fixture.stop() } }
        let now = WallClock.system.now()

        // An hour ahead (a sender's clock gone wrong, or a bug): refused, not stored, not counted.
        let ahead = try await fixture.post("/v1/pnl", json: Self.body(time: Timestamp.format(now + 3_600_000), realized: "-50"))
        #expect(ahead.status == 400)
        let error = try #require(ahead.error)
        #expect(error.hasPrefix("time: \(Timestamp.format(now + 3_600_000)) is "), "\(error)")
        #expect(error.contains("ahead of the daemon's clock") && error.contains("may be at most 5s ahead ([pnl] mark_skew)"), "\(error)")
        #expect(try await fixture.daemon.store.pnlMarkCount(venueId: "binance") == 0)

        // The next honest mark is taken and counts: the refused one holds no place.
        let honest = try await fixture.post("/v1/pnl", json: Self.body(time: Timestamp.format(now), realized: "-150"))
        #expect(honest.status == 200)
        let evaluation = try #require(await fixture.daemon.rules.evaluations().first { $0.ruleId == "daily-loss" })
        #expect(evaluation.value == "-150")
        #expect(evaluation.fired)
        #expect(await fixture.daemon.engine.latchedIncidents.contains { $0.ruleId == "daily-loss" })
    }

    @Test func aDaemonRestartedOnTheSameDatabaseKeepsTheDaysPeakAndLatestMarks() async throws {
        let drawdown = RuleDefinition(id: "dd", scope: .everything, kind: .drawdown(venues: ["binance", "gate-fut"], limit: .absolute(DecimalAmount("200")!)))
        let loss = RuleDefinition(id: "daily-loss", scope: .everything, kind: .lossLimit(venues: ["binance", "gate-fut"], limit: DecimalAmount("500")!))
        let harness = try await EngineHarness.start(rules: [drawdown, loss])
        defer { Task { await harness.shutdown() } }
        // The daemons' wall clock: 2026-11-25T12:00:00Z, whatever the real time (the trading day is the test's).
        let noon = Timestamp.parse("2026-11-25T12:00:00Z")!
        let options = Daemon.Options(environment: [:], wallClock: WallClock { noon })
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        func mark(_ venue: String, _ time: String, realized: String, equity: String) -> PnLMark {
            PnLMark(venue: venue, time: Date(timeIntervalSince1970: Double(Timestamp.parse(time)!) / 1000), currency: "USD",
                    realizedToday: DecimalAmount(realized)!, unrealized: .zero, equity: DecimalAmount(equity)!)
        }

        let first = try await Daemon(configuration: harness.configuration, credentials: harness.credentials, options: options, logger: logger)
        try await first.recordPnL(mark("binance", "2026-11-25T11:00:00Z", realized: "-100", equity: "1000"))
        try await first.recordPnL(mark("gate-fut", "2026-11-25T11:00:01Z", realized: "-200", equity: "500"))   // peak 1500
        try await first.recordPnL(mark("binance", "2026-11-25T11:30:00Z", realized: "-150", equity: "900"))   // 1400
        // Rows a replay must leave out: yesterday's, and one dated ahead (stored before such marks were refused).
        try await first.store.recordPnLMark(mark("gate-fut", "2026-11-24T23:59:59Z", realized: "-9999", equity: "1"))
        try await first.store.recordPnLMark(mark("binance", "2026-11-25T13:00:00Z", realized: "0", equity: "5000"))
        try await first.shutdown()

        let second = try await Daemon(configuration: harness.configuration, credentials: harness.credentials, options: options, logger: logger)
        defer { Task { try? await second.shutdown() } }
        let status = await second.rules.evaluations()
        #expect(status.first { $0.ruleId == "dd" }?.reason == "equity 1400 down 100 from the day's peak 1500, within 200 (dd)")
        #expect(status.first { $0.ruleId == "daily-loss" }?.value == "-350")
        #expect(await second.engine.latchedIncidents.isEmpty)

        // The day goes on from where it was: 1280 is 220 below the morning's 1500 peak.
        try await second.recordPnL(mark("binance", "2026-11-25T11:45:00Z", realized: "-150", equity: "780"))
        #expect(await second.engine.latchedIncidents.map(\.ruleId) == ["dd"])
    }
}
}
