import Foundation
import Synchronization
import Testing
import KillSwitchConfig
import KillSwitchCore
@testable import KillSwitchDaemon
import Logging

/// The countdown runner against a fake venue and a fake engine probe: what it sends, when it refuses to
/// refresh, what it records. The venue-sim and real-process tests are in CountdownDaemonTests.
@Suite struct CountdownRunnerTests {
    /// A fake venue: answers each countdown request the way the test says, and records it.
    final class FakeVenue: Sendable {
        struct Sent: Sendable, Hashable {
            var symbol: String?
            var timeout: Int
        }

        let sent = Mutex<[Sent]>([])
        let failing = Mutex(false)
        let triggerTime = Mutex<Int64>(1_700_000_030_000)

        func send(_ symbol: String?, _ timeout: Int) -> CancelAllResult {
            sent.withLock { $0.append(Sent(symbol: symbol, timeout: timeout)) }
            if failing.withLock({ $0 }) {
                return CancelAllResult(kind: .unknown, httpStatus: nil, venueCode: nil, rawBody: "", latencyNanoseconds: 0, rateLimit: nil, transportError: "connection reset")
            }
            return CancelAllResult(kind: .cancelled, httpStatus: 200, venueCode: nil, rawBody: "{\"triggerTime\":\(triggerTime.withLock { $0 })}",
                                   latencyNanoseconds: 1_000_000, rateLimit: nil, transportError: nil)
        }
    }

    final class Recorder: Sendable {
        let reports = Mutex<[Bool]>([])
        let reserved = Mutex<[Int]>([])
        let budget = Mutex(Int.max)
        /// The wall clock the runner reads (ms).
        let wallNow = Mutex<Int64>(1_700_000_000_000)
        /// While set, the engine probe never returns (as an actor stuck in a call would not).
        let wedged = Mutex(false)
    }

    struct Fixture {
        let runner: CountdownRunner<ManualClock>
        let venue: FakeVenue
        let recorder: Recorder
        let board: CountdownBoard
        let audit: CountdownAuditLog
        let events: AsyncStream<DaemonEvent>
        let clock: ManualClock
    }

    static func fixture(kind: VenueKind = .gateFutures, settings: CountdownSettings = CountdownSettings(timeout: .seconds(30), refresh: .seconds(10)),
                        openCounts: @escaping @Sendable () async throws -> [String: Int] = { [:] }) -> Fixture {
        let clock = ManualClock()
        let venue = FakeVenue()
        let recorder = Recorder()
        let id = kind.rawValue
        var descriptor = VenueDescriptor(id: id, kind: kind, account: "main", baseURL: "http://127.0.0.1:1", market: VenueMarket(settle: kind == .gateFutures ? "usdt" : nil))
        descriptor.uid = "1"
        let configuration = KillSwitchConfiguration(venues: [VenueConfiguration(descriptor: descriptor, credentials: nil, dms: settings)])
        let group = CountdownPlan.groups(configuration)[0]
        let board = CountdownBoard(configuration: configuration)
        let audit = CountdownAuditLog()
        let bus = DaemonEventBus()
        let events = bus.subscribe()
        let probe = BoundedProbe(clock: clock) {
            while recorder.wedged.withLock({ $0 }) { try? await Task.sleep(for: .milliseconds(5)) }
        }
        // The runner logs a failed refresh at critical: not in the test output.
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let environment = CountdownRunner<ManualClock>.Environment(
            send: { symbol, timeout in venue.send(symbol, timeout) }, probe: probe, openCounts: openCounts,
            reportToRules: { ok, _ in recorder.reports.withLock { $0.append(ok) } },
            reserve: { targets, force in
                guard force || targets <= recorder.budget.withLock({ $0 }) else { return false }
                recorder.reserved.withLock { $0.append(targets) }
                return true
            },
            audit: audit, board: board, events: bus, wallNow: { recorder.wallNow.withLock { $0 } }, logger: logger)
        return Fixture(runner: CountdownRunner(group: group, environment: environment, clock: clock, releaseAfter: .seconds(60)),
                       venue: venue, recorder: recorder, board: board, audit: audit, events: events, clock: clock)
    }

    /// The audit kinds recorded so far (the log is drained into a list).
    static func auditKinds(_ audit: CountdownAuditLog) async -> [String] {
        audit.finish()
        var kinds: [String] = []
        // Read the stream directly (no store): the same entries the daemon writes.
        for await entry in audit.entries { kinds.append(entry.kind) }
        return kinds
    }

    @Test func armsThenRefreshesWithTheVenuesTriggerTime() async throws {
        let f = Self.fixture()
        await f.runner.tick()
        f.venue.triggerTime.withLock { $0 = 1_700_000_040_000 }
        await f.runner.tick()
        #expect(f.venue.sent.withLock { $0 } == [.init(symbol: nil, timeout: 30), .init(symbol: nil, timeout: 30)], "no symbol: everything the key reaches")
        let status = try #require(f.board.status("gate-futures"))
        #expect(status.protection == "armed")
        #expect(status.armedUntil == 1_700_000_040_000, "the venue's answer, not our guess")
        #expect(f.recorder.reports.withLock { $0 } == [true, true])
        #expect(await Self.auditKinds(f.audit) == ["dms-arm", "dms-refresh"])
    }

    @Test func aWedgedEngineStopsTheRefreshes() async throws {
        let f = Self.fixture()
        await f.runner.tick()
        // The first probe's deadline timer goes once it answered.
        try await Self.until { f.clock.sleeperCount == 0 }
        f.recorder.wedged.withLock { $0 = true }
        let tick = Task { await f.runner.tick() }
        // The probe has `refresh` (10 s) to answer; it does not.
        await f.clock.waitForSleepers(count: 1)
        f.clock.advance(by: .seconds(10))
        await tick.value
        #expect(f.venue.sent.withLock { $0.count } == 1, "nothing sent after the failed round trip")
        #expect(await f.runner.consecutiveFailureCount == 1)
        #expect(f.board.status("gate-futures")?.protection == "failing")
        #expect(f.recorder.reports.withLock { $0 } == [true, false])
        var events = f.events.makeAsyncIterator()
        guard case .countdownFailed(let venues, let detail, let until)? = await events.next() else {
            Issue.record("no dms-failed event")
            return
        }
        #expect(venues == ["gate-futures"])
        #expect(detail.contains("the engine did not answer within 10s"))
        #expect(until == 1_700_000_030_000)

        // The engine answers again: the next tick refreshes.
        f.recorder.wedged.withLock { $0 = false }
        await f.runner.tick()
        #expect(f.venue.sent.withLock { $0.count } == 2)
        #expect(await f.runner.consecutiveFailureCount == 0)
        #expect(f.board.status("gate-futures")?.protection == "armed")
    }

    @Test func aFailedRefreshIsAlertedOnceAndCountedUntilOneSucceeds() async throws {
        let f = Self.fixture()
        f.venue.failing.withLock { $0 = true }
        await f.runner.tick()
        await f.runner.tick()
        await f.runner.tick()
        #expect(await f.runner.consecutiveFailureCount == 3)
        #expect(f.recorder.reports.withLock { $0 } == [false, false, false])
        let status = try #require(f.board.status("gate-futures"))
        #expect(status.protection == "failing")
        #expect(status.consecutiveFailures == 3)
        #expect(status.detail == "unknown: connection reset")
        #expect(await Self.auditKinds(f.audit) == ["dms-refresh-failed", "dms-refresh-failed", "dms-refresh-failed"])
        var events = f.events.makeAsyncIterator()
        guard case .countdownFailed? = await events.next() else {
            Issue.record("no dms-failed event")
            return
        }
    }

    @Test func htxAboveFiveHundredOpenOrdersIsPartialProtection() async throws {
        let f = Self.fixture(kind: .htxSpot, openCounts: { ["btcusdt": 400, "ethusdt": 101] })
        await f.runner.tick()
        #expect(f.board.status("htx-spot")?.protection == "armed")
        await f.runner.applyOpenCounts(try await f.runner.environment.openCounts())
        let status = try #require(f.board.status("htx-spot"))
        #expect(status.protection == "partial")
        #expect(status.detail?.contains("501 open orders tracked") == true)
        await f.runner.applyOpenCounts(["btcusdt": 500])
        #expect(f.board.status("htx-spot")?.protection == "armed")
    }

    @Test func binanceArmsConfiguredSymbolsAndEachNewOneOnFirstSight() async throws {
        let f = Self.fixture(kind: .binanceCoinM, settings: CountdownSettings(timeout: .seconds(30), refresh: .seconds(10), symbols: ["BTCUSD_PERP"]))
        await f.runner.tick()
        #expect(f.venue.sent.withLock { $0 } == [.init(symbol: "BTCUSD_PERP", timeout: 30)])
        // Ingest saw an open order on a new symbol: armed now, not at the next tick.
        await f.runner.saw("ethusd_perp")
        try await Self.until { f.venue.sent.withLock { $0.count } == 2 }
        #expect(f.venue.sent.withLock { $0.last } == .init(symbol: "ETHUSD_PERP", timeout: 30))
        // Recorded once its answer is read (just after the venue saw it).
        try await Self.until { await f.runner.armedSymbols == ["BTCUSD_PERP", "ETHUSD_PERP"] }
        #expect(f.recorder.reserved.withLock { $0 } == [2], "the reserve grows with the symbols")
        await f.runner.tick()
        #expect(Set(f.venue.sent.withLock { $0.suffix(2) }.map(\.symbol)) == ["BTCUSD_PERP", "ETHUSD_PERP"], "both refreshed")
    }

    @Test func binanceReleasesASymbolLongEmptyButNeverAConfiguredOne() async throws {
        let f = Self.fixture(kind: .binanceCoinM, settings: CountdownSettings(timeout: .seconds(30), refresh: .seconds(10), symbols: ["BTCUSD_PERP"]))
        await f.runner.tick()
        await f.runner.applyOpenCounts(["ETHUSD_PERP": 3])
        #expect(await f.runner.armedSymbols == ["BTCUSD_PERP", "ETHUSD_PERP"])
        // Nothing open on either any more: the release waits `releaseAfter` (60 s here) from the last sight.
        f.recorder.wallNow.withLock { $0 += 59_999 }
        await f.runner.applyOpenCounts([:])
        #expect(await f.runner.trackedSymbols == ["BTCUSD_PERP", "ETHUSD_PERP"])
        f.recorder.wallNow.withLock { $0 += 1 }
        await f.runner.applyOpenCounts([:])
        #expect(await f.runner.trackedSymbols == ["BTCUSD_PERP"], "the configured symbol stays armed")
        #expect(f.venue.sent.withLock { $0.last } == .init(symbol: "ETHUSD_PERP", timeout: 0), "disarmed on the venue")
        #expect(f.recorder.reserved.withLock { $0.last } == 1, "and its reserve given back")
        #expect(await Self.auditKinds(f.audit) == ["dms-arm", "dms-arm", "dms-disarm"])
    }

    @Test func symbolsOverTheBudgetAreLeftOutAndSaidSo() async throws {
        let f = Self.fixture(kind: .binanceCoinM, settings: CountdownSettings(timeout: .seconds(30), refresh: .seconds(10), symbols: ["BTCUSD_PERP"]))
        f.recorder.budget.withLock { $0 = 1 }
        await f.runner.tick()
        await f.runner.applyOpenCounts(["BTCUSD_PERP": 1, "ETHUSD_PERP": 2])
        #expect(await f.runner.trackedSymbols == ["BTCUSD_PERP"])
        let status = try #require(f.board.status("binance-coinm"))
        #expect(status.protection == "partial")
        #expect(status.detail?.contains("over the countdown budget, not armed: ETHUSD_PERP") == true)
    }

    /// An arm with no answer (a timeout, or a stop while it was on the wire) may have reached the venue: a clean
    /// stop with `on_stop = disarm` disarms it too, or the venue would cancel everything when it fires.
    @Test func aCleanStopDisarmsAnArmThatGotNoAnswer() async throws {
        let f = Self.fixture()
        f.venue.failing.withLock { $0 = true }
        await f.runner.tick()
        f.venue.failing.withLock { $0 = false }
        await f.runner.stop()
        #expect(f.venue.sent.withLock { $0 } == [.init(symbol: nil, timeout: 30), .init(symbol: nil, timeout: 0)])
        #expect(f.board.status("gate-futures")?.protection == "disarmed")
        #expect(await Self.auditKinds(f.audit) == ["dms-refresh-failed", "dms-disarm"])
    }

    @Test func aCleanStopDisarmsOrLeavesAsConfigured() async throws {
        let disarm = Self.fixture()
        await disarm.runner.tick()
        await disarm.runner.stop()
        #expect(disarm.venue.sent.withLock { $0.last } == .init(symbol: nil, timeout: 0), "timeout 0 disarms")
        #expect(disarm.board.status("gate-futures")?.protection == "disarmed")
        await disarm.runner.tick()
        #expect(disarm.venue.sent.withLock { $0.count } == 2, "nothing after the stop")
        #expect(await Self.auditKinds(disarm.audit) == ["dms-arm", "dms-disarm"])

        let leave = Self.fixture(settings: CountdownSettings(timeout: .seconds(30), refresh: .seconds(10), onStop: .leave))
        await leave.runner.tick()
        await leave.runner.stop()
        #expect(leave.venue.sent.withLock { $0.count } == 1, "left armed: nothing sent")
        #expect(leave.board.status("gate-futures")?.protection == "left-armed")
        #expect(await Self.auditKinds(leave.audit) == ["dms-arm", "dms-left-armed"])
    }

    @Test func leavingReportsAnArmThatGotNoAnswerAsLeftArmed() async throws {
        // The arm's answer never came (connection reset): it may have reached the venue and may fire.
        let f = Self.fixture(settings: CountdownSettings(timeout: .seconds(30), refresh: .seconds(10), onStop: .leave))
        f.venue.failing.withLock { $0 = true }
        await f.runner.tick()
        await f.runner.stop()
        #expect(await Self.auditKinds(f.audit) == ["dms-refresh-failed", "dms-left-armed"])
    }

    @Test func theLedgerKeepsEachPoolsBudgetApart() {
        let ledger = CountdownLedger()
        // HTX's refreshes on their own pool do not count against Binance's weight budget.
        #expect(ledger.admit(pool: "htx/uid:1/countdown", holder: "htx", cost: 12, budget: 1_500))
        #expect(ledger.admit(pool: "binance/ip/weight", holder: "binance-a", cost: 480, budget: 480))
        // Two Binance entries share the IP's weight.
        #expect(!ledger.admit(pool: "binance/ip/weight", holder: "binance-b", cost: 60, budget: 480))
        #expect(ledger.admit(pool: "binance/ip/weight", holder: "binance-b", cost: 60, budget: 480, force: true))
        #expect(ledger.admit(pool: "binance/ip/weight", holder: "binance-a", cost: 120, budget: 480), "lowering always succeeds")
    }

    /// Waits (bounded) for something another task does.
    static func until(_ condition: @Sendable () async -> Bool, within timeout: Duration = .seconds(5)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !(await condition()) {
            guard ContinuousClock.now < deadline else { throw TimeoutError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    struct TimeoutError: Error {}
}
