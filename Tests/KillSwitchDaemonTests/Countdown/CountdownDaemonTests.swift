import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
@testable import KillSwitchDaemon
import KillSwitchStore
import Logging
import ServiceLifecycle
import VenueSim

/// The venue as the last line, against venue-sim: a daemon that dies (kill -9), whose engine wedges, or whose
/// refreshes keep failing leaves each venue's countdown to cancel; a clean stop disarms it; status, metrics
/// and the audit say what is armed until when.
extension EngineIntegration {
@Suite(.serialized) struct CountdownDaemonTests {
    /// The four venue kinds with a countdown; Binance on one symbol (at a 2 s refresh its budget — 20% of the
    /// request weight, 10 per symbol per call — holds one).
    static let countdownSpecs: [EngineHarness.VenueSpec] = EngineHarness.specs.filter { $0.kind != .bitgetMix }.map { spec in
        var spec = spec
        if spec.kind == .binanceCoinM { spec.symbols = ["BTCUSD_PERP"] }
        return spec
    }

    /// The sim's countdown request paths.
    static func isCountdown(_ path: String) -> Bool { path.contains("countdown") || path.contains("cancel-all-after") }

    // MARK: A real `killswitch run`

    /// A config for `killswitch run` with `dms` on each venue of `specs` (Binance arms `BTCUSD_PERP`).
    static func writeConfig(_ harness: EngineHarness, specs: [EngineHarness.VenueSpec], dms: String) throws -> String {
        var toml = """
            database = "\(harness.configuration.database)"
            socket = "\(harness.directory)/control.sock"
            secrets_file = "secrets.toml"

            [engine]
            safety_margin = 0

            """
        var secrets = ""
        for venue in harness.configuration.venues where specs.contains(where: { $0.id == venue.descriptor.id }) {
            let d = venue.descriptor
            toml += "\n[[venues]]\nid = \"\(d.id)\"\nkind = \"\(d.kind.rawValue)\"\nbase_url = \"\(d.baseURL)\"\nrequest_timeout = \"2s\"\n"
            if let v = d.market.settle { toml += "settle = \"\(v)\"\n" }
            if let v = d.market.accountId { toml += "account_id = \"\(v)\"\n" }
            if let v = d.market.gateAccount { toml += "gate_account = \"\(v)\"\n" }
            let symbols = d.kind == .binanceCoinM ? ", symbols = [\"BTCUSD_PERP\"]" : ""
            toml += "dms = { \(dms)\(symbols) }\n"
            secrets += "[\(d.id)]\nkey = \"test-api-key\"\nsecret = \"test-api-secret\"\n"
        }
        let config = harness.directory + "/killswitch.toml"
        try toml.write(toFile: config, atomically: true, encoding: .utf8)
        try secrets.write(toFile: harness.directory + "/secrets.toml", atomically: true, encoding: .utf8)
        chmod(harness.directory + "/secrets.toml", 0o600)
        return config
    }

    /// Seeds `perVenue` open orders on each of `specs`, on the simulator and in the store.
    static func seed(_ harness: EngineHarness, specs: [EngineHarness.VenueSpec], perVenue: Int) async throws {
        let store = try Store(options: StoreOptions(path: harness.configuration.database), venues: harness.configuration.venueDescriptors)
        try await harness.seed(perVenue: perVenue, store: store, venues: specs)
    }

    /// Waits (bounded) until `condition` holds; false when it never did.
    static func eventually(within timeout: Duration, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    @Test func killedWithSigkillTheVenuesCancelWithinTheCountdown() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let specs = Self.countdownSpecs
        try await Self.seed(harness, specs: specs, perVenue: 20)
        let config = try Self.writeConfig(harness, specs: specs, dms: "timeout = \"6s\", refresh = \"2s\"")
        let daemon = try DaemonProcess(config: config)
        defer { daemon.stop() }
        #expect(await daemon.waitUntilReady(), "\(daemon.output)")

        // Armed on all four, and refreshed at least once each (two requests per countdown).
        let armed = await Self.eventually(within: .seconds(20)) {
            let requests = await harness.sim.requests().filter { Self.isCountdown($0.path) && $0.status == 200 }
            let byCountdown = Dictionary(grouping: requests, by: { "\($0.exchange)/\($0.market) \($0.path)" })
            return byCountdown.count == 4 && byCountdown.values.allSatisfy { $0.count >= 2 }
        }
        let countdowns = await harness.sim.countdowns()
        #expect(armed, "countdowns: \(countdowns)\n\(daemon.output)")
        #expect(await harness.sim.countdowns().count == 4)

        daemon.signal(SIGKILL)
        let killedAt = harness.sim.nowMilliseconds()
        _ = await daemon.waitForExit()

        // 2.5 s after the kill nothing has fired: the last refresh was at most 2 s before it, the countdown is 6 s.
        let check = Duration.milliseconds(max(0, killedAt + 2_500 - harness.sim.nowMilliseconds()))
        try await Task.sleep(for: check)
        let resting = await harness.sim.orders(status: "open")
        #expect(resting.count == 80, "still resting 2.5 s after the kill: \(resting.count)")

        // By 8 s after the kill every venue has cancelled on its own.
        let flat = await Self.eventually(within: .seconds(9)) { await harness.sim.orders(status: "open").isEmpty }
        let left = await harness.sim.orders(status: "open").map { "\($0.exchange)/\($0.market) \($0.id)" }
        #expect(flat, "left open: \(left)")
        let cancelled = await harness.sim.orders(status: "cancelled")
        #expect(cancelled.count == 80)
        for exchangeMarket in Set(cancelled.map { "\($0.exchange)/\($0.market)" }) {
            let orders = cancelled.filter { "\($0.exchange)/\($0.market)" == exchangeMarket }
            #expect(orders.allSatisfy { $0.cancelledBy == "countdown" }, "\(exchangeMarket): cancelled by the venue's countdown")
            let latest = orders.compactMap(\.cancelledAtMs).max() ?? .max
            #expect(latest - killedAt <= 8_000, "\(exchangeMarket) cancelled \(latest - killedAt) ms after the kill")
            #expect(latest - killedAt >= 2_500)
        }
    }

    @Test func aCleanStopWithOnStopDisarmLeavesNothingToFire() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let specs = Self.countdownSpecs
        try await Self.seed(harness, specs: specs, perVenue: 5)
        let config = try Self.writeConfig(harness, specs: specs, dms: "timeout = \"6s\", refresh = \"2s\", on_stop = \"disarm\"")
        let daemon = try DaemonProcess(config: config)
        defer { daemon.stop() }
        #expect(await daemon.waitUntilReady(), "\(daemon.output)")
        #expect(await Self.eventually(within: .seconds(20)) { await harness.sim.countdowns().count == 4 }, "\(daemon.output)")
        // The daemon has had the venues' answers (the arms are audited), so the stop finds all four armed.
        #expect(await Self.eventually(within: .seconds(20)) {
            let db = try? SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
            return (try? db?.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'dms-arm'")) == 4
        }, "\(daemon.output)")

        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0, "\(daemon.output)")
        // Nothing left armed on any venue: nothing can fire.
        #expect(await harness.sim.countdowns().isEmpty)
        #expect(await harness.sim.orders(status: "open").count == 20)
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'dms-disarm'") == 4)
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'dms-arm'") == 4)
        let arms = try db.prepare("SELECT detail FROM audit_events WHERE kind = 'dms-arm'").rows().compactMap { $0[0].textValue }
        #expect(arms.count == 4 && arms.allSatisfy { $0.contains("\"triggerTimeMs\"") }, "each arm is audited with its trigger time: \(arms)")
    }

    @Test func configCheckPrintsTheCostAndRefusesAPlanOverTheBudget() async throws {
        let directory = NSTemporaryDirectory() + "ks-dms-check-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func config(symbols: [String]) -> String {
            """
            database = "\(directory)/ks.db"

            [[venues]]
            id = "binance"
            kind = "binance-coinm"
            base_url = "https://dapi.binance.com"
            credentials = { key_env = "KS_DMS_KEY", secret_env = "KS_DMS_SECRET" }
            dms = { timeout = "6s", refresh = "2s", symbols = [\(symbols.map { "\"\($0)\"" }.joined(separator: ", "))] }

            [[venues]]
            id = "gate"
            kind = "gate-futures"
            settle = "usdt"
            base_url = "https://api.gateio.ws"
            credentials = { key_env = "KS_DMS_KEY", secret_env = "KS_DMS_SECRET" }
            dms = { timeout = "30s", refresh = "10s" }
            """
        }
        let path = directory + "/killswitch.toml"
        let environment = ["KS_DMS_KEY": "test-api-key", "KS_DMS_SECRET": "test-api-secret"]

        try config(symbols: ["BTCUSD_PERP"]).write(toFile: path, atomically: true, encoding: .utf8)
        let within = try await ControlCLITests.killswitch(["config", "check", "--config", path], environment: environment)
        #expect(within.status == 0, "\(within.stdout)\n\(within.stderr)")
        #expect(within.stdout.contains("dms binance: binance-coinm countdown reaching each armed symbol"), "\(within.stdout)")
        #expect(within.stdout.contains("refresh cost 300 weight/min (300 per symbol), budget 480 weight/min"), "\(within.stdout)")
        #expect(within.stdout.contains("dms gate: gate-futures countdown reaching every contract of the settle"), "\(within.stdout)")
        #expect(within.stdout.contains("refresh cost 6 requests/min"), "\(within.stdout)")
        #expect(within.stdout.contains("rule dms-lost.binance: dms-lost"), "\(within.stdout)")

        // Two symbols every 2 s: 600 weight a minute, over 20% of 2400.
        try config(symbols: ["BTCUSD_PERP", "ETHUSD_PERP"]).write(toFile: path, atomically: true, encoding: .utf8)
        let over = try await ControlCLITests.killswitch(["config", "check", "--config", path], environment: environment)
        #expect(over.status == 78, "\(over.stdout)\n\(over.stderr)")
        #expect(over.stderr.contains("venues[0].dms: countdown refreshes would cost 600 weight/min on binance/ip/weight, over their budget of 480/min"), "\(over.stderr)")
        #expect(!over.stderr.contains("venues[1]"), "gate's own pool is within its budget")
    }

    // MARK: In process

    /// A daemon running its services (all but signals and systemd) with `dms` on the given venues.
    struct Running {
        let harness: EngineHarness
        let daemon: Daemon
        let group: ServiceGroup
        let task: Task<Void, any Error>

        static func start(_ harness: EngineHarness, dms: [String: CountdownSettings], faults: SimFaults? = nil) async throws -> Running {
            var configuration = harness.configuration
            for index in configuration.venues.indices {
                configuration.venues[index].dms = dms[configuration.venues[index].descriptor.id]
            }
            if let faults { try await harness.sim.setFaults(faults) }
            var logger = Logger(label: "countdown-test")
            logger.logLevel = .critical
            let daemon = try await Daemon(configuration: configuration, credentials: harness.credentials, logger: logger)
            let services = daemon.services().filter { !($0.service is StaysUntilShutdown<SignalService>) && !($0.service is StaysUntilShutdown<ServiceManagerService<ContinuousClock>>) }
            let group = ServiceGroup(configuration: .init(services: services, logger: logger))
            let task = Task { try await group.run() }
            return Running(harness: harness, daemon: daemon, group: group, task: task)
        }

        func stop() async {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
            try? await daemon.shutdown()
        }
    }

    @Test func aWedgedEngineStopsRefreshingAndTheVenueCancels() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let gate = try #require(EngineHarness.specs.first { $0.id == "gate-fut" })
        try await Self.seed(harness, specs: [gate], perVenue: 10)
        let running = try await Running.start(harness, dms: ["gate-fut": CountdownSettings(timeout: .seconds(6), refresh: .seconds(2))])
        // Armed and refreshed once: the engine answers.
        #expect(await Self.eventually(within: .seconds(15)) {
            await harness.sim.requests().filter { Self.isCountdown($0.path) && $0.status == 200 }.count >= 2
        })

        // A test hook blocks the trip engine's actor, as a deadlock inside it would.
        let release = DispatchSemaphore(value: 0)
        let wedge = Task.detached { await blockActor(running.daemon.engine, until: release) }
        let wedgedAt = harness.sim.nowMilliseconds()

        let flat = await Self.eventually(within: .seconds(12)) { await harness.sim.orders(status: "open").isEmpty }
        #expect(flat, "the venue's countdown must fire once the refreshes stop")
        let cancelled = await harness.sim.orders(status: "cancelled")
        #expect(cancelled.count == 10)
        #expect(cancelled.allSatisfy { $0.cancelledBy == "countdown" })
        // No refresh reached the venue once the engine was wedged (one already on the wire may land just after).
        let late = await harness.sim.requests().filter { Self.isCountdown($0.path) && $0.receivedAtMs > wedgedAt + 500 }
        #expect(late.isEmpty, "refreshes after the wedge: \(late.map(\.receivedAtMs))")
        #expect(running.daemon.countdowns.status("gate-fut")?.protection == "failing")

        release.signal()
        await wedge.value
        await running.stop()
    }

    @Test func consecutiveFailedRefreshesAlertAndTripTheVenue() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let settings = CountdownSettings(timeout: .seconds(5), refresh: .seconds(1))
        let running = try await Running.start(harness, dms: ["htx": settings], faults: SimFaults(exchange: "htx", errorRate: 1))
        let events = running.daemon.events.subscribe()
        // dms_failures (3) refreshes in a row fail: the dms-lost rule trips the venue.
        let tripped = await EventWait.first(events, within: .seconds(15)) { event in
            if case .tripped(let record) = event { return record.ruleId == "dms-lost.htx" }
            return false
        }
        guard case .tripped(let record)? = tripped else {
            Issue.record("no dms-lost trip")
            await running.stop()
            return
        }
        #expect(record.scope == Scope(venue: "htx"))
        #expect(record.reason.contains("3 consecutive refreshes failed"), "\(record.reason)")
        let status = try #require(running.daemon.countdowns.status("htx"))
        #expect(status.protection == "failing")
        #expect(status.consecutiveFailures >= 3)
        // Re-arming is refused while it still fails.
        let rule = try #require(await running.daemon.rules.evaluations().first { $0.ruleId == "dms-lost.htx" })
        #expect(rule.fired)
        await running.stop()
    }

    @Test func shadowModeArmsNoCountdownAndATripSendsNone() async throws {
        var engine = EngineSettings()
        engine.mode = .shadow
        let harness = try await EngineHarness.start(engine: engine)
        defer { Task { await harness.shutdown() } }
        let gate = try #require(EngineHarness.specs.first { $0.id == "gate-fut" })
        let running = try await Running.start(harness, dms: ["gate-fut": CountdownSettings(timeout: .seconds(30), refresh: .seconds(1))])
        // Seeded through the daemon's own store: one writer on the file.
        try await harness.seed(perVenue: 5, store: running.daemon.store, venues: [gate])
        #expect(running.daemon.countdowns.status("gate-fut")?.protection == "daemon-only")
        #expect(running.daemon.countdowns.status("gate-fut")?.detail?.contains("shadow mode") == true)
        // The status says what shadow mode does not do about a countdown a live run may have left armed.
        #expect(running.daemon.countdowns.status("gate-fut")?.detail?.contains("left armed at its stop (on_stop = leave) still fires") == true)

        let incident = await running.daemon.engine.trip(scope: Scope(venue: "gate-fut"), reason: "shadow", actor: "tests")
        let record = try await running.daemon.store.incident(id: incident)
        #expect(record?.state == .shadow, "incident \(incident): \(String(describing: record)); storage \(running.daemon.store.health.snapshot)")
        await running.stop()

        let sent = await harness.sim.requests(since: 0)
        #expect(sent.filter { Self.isCountdown($0.path) }.isEmpty, "\(sent.filter { Self.isCountdown($0.path) }.map(\.path))")
        #expect(sent.allSatisfy { $0.method == "GET" }, "nothing but reads: \(sent.filter { $0.method != "GET" }.map { "\($0.method) \($0.path)" })")
        #expect(await harness.sim.countdowns().isEmpty)
        #expect(await harness.sim.orders(exchange: "gate", market: "futures", status: "open").count == 5)
    }

    @Test func statusMetricsAndAuditShowEachVenuesProtection() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let settings = CountdownSettings(timeout: .seconds(30), refresh: .seconds(1))
        let running = try await Running.start(harness, dms: ["gate-fut": settings, "htx": CountdownSettings(timeout: .seconds(5), refresh: .seconds(1))])
        #expect(await Self.eventually(within: .seconds(15)) { running.daemon.countdowns.status("gate-fut")?.protection == "armed" })

        let report = try await running.daemon.statusReport()
        let gate = try #require(report.venues.first { $0.venue == "gate-fut" }?.countdown)
        let simDeadline = try #require(await harness.sim.countdowns().first { $0.exchange == "gate" && $0.market == "futures" }?.deadlineMs)
        let until = try #require(gate.armedUntil)
        #expect(abs(until - simDeadline) <= 1_000, "armed until the venue's trigger time (refreshed since, at most once a second)")
        #expect(report.venues.first { $0.venue == "gate-spot" }?.countdown?.protection == "daemon-only")
        #expect(report.venues.first { $0.venue == "bitget" }?.countdown?.detail == "bitget-mix has no countdown cancel-all")

        // Above 500 open orders HTX's countdown covers only part of the account.
        let htx = try #require(EngineHarness.specs.first { $0.id == "htx" })
        try await harness.seed(perVenue: 501, store: running.daemon.store, venues: [htx])
        #expect(await Self.eventually(within: .seconds(10)) { running.daemon.countdowns.status("htx")?.protection == "partial" })
        #expect(running.daemon.countdowns.status("htx")?.detail?.contains("501 open orders tracked") == true)

        let metrics = String(decoding: await running.daemon.metricsText(), as: UTF8.self)
        #expect(metrics.contains("killswitch_dms_protection{venue=\"gate-fut\",protection=\"armed\"} 1") || metrics.contains("killswitch_dms_protection{protection=\"armed\",venue=\"gate-fut\"} 1"), "\(metrics.split(separator: "\n").filter { $0.contains("dms") })")
        #expect(metrics.contains("killswitch_dms_armed_until_timestamp_seconds{venue=\"gate-fut\"}"))

        await running.stop()
        // The audit: the arm with the venue's own trigger time, and the disarm at the clean stop.
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        let arm = try db.scalarText("SELECT detail FROM audit_events WHERE kind = 'dms-arm' AND detail LIKE '%gate-fut%'") ?? ""
        #expect(arm.contains("\"triggerTimeFrom\":\"venue\""), "\(arm)")
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'dms-disarm'") == 2)
    }

    @Test func refreshesHoldTheirReserveOfTheVenuesLimitWhileArmed() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let symbols = ["BTCUSD_PERP", "ETHUSD_PERP", "SOLUSD_PERP", "XRPUSD_PERP"]
        let running = try await Running.start(harness, dms: ["binance": CountdownSettings(timeout: .seconds(15), refresh: .seconds(5), symbols: symbols),
                                                             "htx": CountdownSettings(timeout: .seconds(15), refresh: .seconds(5))])
        #expect(await Self.eventually(within: .seconds(10)) { running.daemon.countdowns.status("binance")?.protection == "armed" })
        // ⌈60.01 s / 5 s⌉ = 13 refreshes a window × weight 10 × 4 symbols, out of the IP's weight the cancels share.
        #expect(running.daemon.limits.buckets(venueId: "binance")["weight"]?.refreshReserve == 520)
        // HTX: ⌈2.01 s / 5 s⌉ = 1 refresh a window of its own endpoint's pool — held apart from Binance's budget.
        #expect(running.daemon.limits.buckets(venueId: "htx")["countdown"]?.refreshReserve == 1)
        await running.stop()
        #expect(running.daemon.limits.buckets(venueId: "binance")["weight"]?.refreshReserve == 0, "given back at the stop")
    }

    @Test func binanceArmsASymbolOnFirstSightOfAnOpenOrder() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        // A long refresh: the arm must come from the sighting, not from the next tick.
        let running = try await Running.start(harness, dms: ["binance": CountdownSettings(timeout: .seconds(60), refresh: .seconds(20))])
        #expect(await Self.eventually(within: .seconds(10)) { running.daemon.countdowns.status("binance")?.protection == "armed" })
        #expect(await harness.sim.countdowns().isEmpty, "no symbol configured and nothing open: nothing to arm yet")

        let event = OrderEvent(eventId: "first-sight", venueId: "binance", account: "main", symbol: "ETHUSD_PERP", venueOrderId: "77", clientOrderId: nil,
                               status: .new, side: .buy, price: DecimalAmount("100"), quantity: DecimalAmount("1"), time: nil)
        _ = try await running.daemon.ingest([.success(event)])
        let armed = await Self.eventually(within: .seconds(5)) { await harness.sim.countdowns().contains { $0.symbol == "ETHUSD_PERP" } }
        #expect(armed, "armed within seconds of the first open order on the symbol")
        #expect(await Self.eventually(within: .seconds(5)) { running.daemon.countdowns.status("binance")?.symbols == ["ETHUSD_PERP"] })
        await running.stop()
        #expect(await harness.sim.countdowns().isEmpty, "disarmed at the clean stop")
    }
}
}

/// Blocks the actor's executor until `release` is signalled: a wedged engine, for the tests.
private func blockActor(_ actor: isolated any Actor, until release: DispatchSemaphore) {
    release.wait()
}
