import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
@testable import KillSwitchDaemon
import KillSwitchStore
import NIOHTTP1
import VenueSim

/// The state gauges as Prometheus sees them: scraped over HTTP from the `[metrics]` listener of a daemon
/// running its services against venue-sim, before, during and after a trip.
extension EngineIntegration {
@Suite(.serialized, .timeLimit(.minutes(3))) struct MetricsScrapeTests {
    static let engine = EngineSettings(incidentDeadline: .seconds(5), retryInitial: .milliseconds(20), retryMax: .milliseconds(100), safetyMargin: 0,
                                       escalateAfter: 3, keepTryingInitial: .milliseconds(100), keepTryingMax: .milliseconds(300),
                                       latchedSweepEvery: .seconds(600))
    static let heartbeatRule = RuleDefinition(id: "bot7-alive", scope: Scope(venue: "htx"), kind: .heartbeat(source: "bot7", timeout: .seconds(60), grace: .seconds(60)))
    static let venues = EngineHarness.specs.map(\.id)

    /// Every venue's first armed check and clock sync are in (the maintenance service runs them at start).
    static func maintained(_ scrape: PrometheusText) -> Bool {
        venues.allSatisfy { scrape.value("killswitch_venue_armed_check_ok", ["venue": $0]) != nil && scrape.value("killswitch_venue_clock_offset_seconds", ["venue": $0]) != nil }
    }

    static func incidents(_ scrape: PrometheusText, _ state: String) -> Double? { scrape.value("killswitch_incidents", ["state": state]) }

    @Test func theStateGaugesMoveBeforeDuringAndAfterATrip() async throws {
        let running = try await RunningDaemon.start(rules: [Self.heartbeatRule], engine: Self.engine)
        defer { Task { await running.stop() } }
        let daemon = running.daemon, sim = running.harness.sim
        let gate = EngineHarness.specs.first { $0.id == "gate-fut" }!
        try await running.harness.seed(perVenue: 20, store: daemon.store, venues: [gate])
        // Two orders a bot placed on ETH without telling the daemon: outside the scope tripped below.
        _ = try await sim.seed((1...2).map {
            SimOrderSeed(exchange: "gate", market: "futures", settle: "usdt", symbol: "ETH_USDT", id: "99\($0)", side: "buy", price: "100", quantity: "1", apiKey: "test-api-key")
        })

        // Before: armed everywhere, nothing tripped, the store writing.
        let before = try await running.scrape(until: Self.maintained)
        #expect(Self.maintained(before), "every venue's armed check and clock sync are exported")
        #expect(before.value("killswitch_tripped_scopes") == 0)
        #expect(before.value("killswitch_incidents_incomplete") == 0)
        for state in ["starting", "running", "keep_trying", "ended"] { #expect(Self.incidents(before, state) == 0, "\(state)") }
        for venue in Self.venues {
            #expect(before.value("killswitch_venue_tripped", ["venue": venue]) == 0)
            #expect(before.value("killswitch_venue_armed_check_ok", ["venue": venue]) == 1)
            #expect(before.value("killswitch_venue_untracked_open_orders", ["venue": venue]) == 0)
            #expect(abs(before.value("killswitch_venue_clock_offset_seconds", ["venue": venue]) ?? 99) < 5)
            #expect(!before.all("killswitch_rate_limit_capacity_tokens").filter { $0.labels["venue"] == venue }.isEmpty, "\(venue)'s pools")
        }
        #expect(before.value("killswitch_storage_ok") == 1)
        #expect(before.value("killswitch_storage_write_failures_total") == 0)
        #expect((before.value("killswitch_database_size_bytes") ?? 0) > 0)
        #expect(before.value("killswitch_build_info", ["version": BuildIdentity.unknown.version, "commit": BuildIdentity.unknown.commit]) == 1)
        #expect(before.types["killswitch_storage_write_failures_total"] == "counter")
        #expect(before.types["killswitch_tripped_scopes"] == "gauge")
        // Not heard yet: the rule counts from arming, against grace + timeout.
        #expect(before.value("killswitch_rule_threshold", ["rule": "bot7-alive", "measure": "silence_seconds"]) == 120)
        #expect(before.value("killswitch_rule_firing", ["rule": "bot7-alive"]) == 0)
        #expect(before.value("killswitch_heartbeat_timeout_seconds", ["source": "bot7"]) == 60)

        try await daemon.heartbeat(source: "bot7")
        let heard = try await running.scrape()
        #expect((heard.value("killswitch_heartbeat_age_seconds", ["source": "bot7"]) ?? 99) < 5)
        #expect(heard.value("killswitch_rule_threshold", ["rule": "bot7-alive", "measure": "silence_seconds"]) == 60, "after the first heartbeat: the timeout alone")
        #expect((heard.value("killswitch_rule_value", ["rule": "bot7-alive", "measure": "silence_seconds"]) ?? 99) < 5)

        // During: Gate futures answers 5xx to everything, so the fan-out cannot end before its 5 s deadline.
        try await sim.setFaults(SimFaults(exchange: "gate", market: "futures", errorRate: 1))
        let events = daemon.events.subscribe()
        let incident = await daemon.engine.trip(scope: Scope(venue: "gate-fut", symbol: "BTC_USDT"), reason: "metrics drill", actor: "tests")
        let during = try await running.scrape()
        #expect(during.value("killswitch_tripped_scopes") == 1)
        #expect(during.value("killswitch_venue_tripped", ["venue": "gate-fut"]) == 1)
        #expect(during.value("killswitch_venue_tripped", ["venue": "binance"]) == 0)
        #expect((Self.incidents(during, "starting") ?? 0) + (Self.incidents(during, "running") ?? 0) == 1)
        #expect(during.value("killswitch_incidents_incomplete") == 0)

        #expect(await EventWait.ended(events, incident: incident, outcome: .incomplete, within: .seconds(30)))
        let incomplete = try await running.scrape()
        #expect(incomplete.value("killswitch_incidents_incomplete") == 1)
        // Kept trying: waiting for the next attempt, or running it.
        #expect((Self.incidents(incomplete, "keep_trying") ?? 0) + (Self.incidents(incomplete, "running") ?? 0) + (Self.incidents(incomplete, "starting") ?? 0) == 1)
        #expect(incomplete.value("killswitch_tripped_scopes") == 1)

        // After: the venue recovers, a keep-trying attempt ends flat; the scope stays tripped until re-armed.
        await sim.clearFaults()
        #expect(await EventWait.ended(events, incident: incident, outcome: .flat, within: .seconds(30)))
        let flat = try await running.scrape()
        #expect(flat.value("killswitch_incidents_incomplete") == 0)
        #expect(Self.incidents(flat, "ended") == 1)
        #expect(flat.value("killswitch_tripped_scopes") == 1)
        #expect((flat.value("killswitch_cancel_outcomes_total", ["venue": "gate-fut", "kind": "cancelled"]) ?? 0) >= 5, "the BTC orders' cancels are counted")

        // The latched sweep lists the whole account: the two unreported ETH orders are outside the scope (never
        // adopted, never cancelled) and count on every listing.
        _ = await daemon.engine.sweepLatched()
        let swept = try await running.scrape()
        #expect(swept.value("killswitch_venue_untracked_open_orders", ["venue": "gate-fut"]) == 2)
        #expect(swept.value("killswitch_venue_untracked_open_orders", ["venue": "binance"]) == 0)
        #expect(await sim.orders(exchange: "gate", market: "futures", status: "open").filter { $0.id.hasPrefix("99") }.count == 2)

        try await daemon.rearm(incidentId: incident, operator: "alice", reason: "drill over", force: false)
        let rearmed = try await running.scrape()
        #expect(rearmed.value("killswitch_tripped_scopes") == 0)
        #expect(rearmed.value("killswitch_venue_tripped", ["venue": "gate-fut"]) == 0)
        for state in ["starting", "running", "keep_trying", "ended"] { #expect(Self.incidents(rearmed, state) == 0, "\(state)") }

        // Storage: a failed write turns the gauge off and counts; the next good write turns it back on.
        func event(_ id: String) -> [Result<OrderEvent, EventError>] {
            [.success(OrderEvent(eventId: id, venueId: "binance", account: "main", symbol: "BTCUSD_PERP", venueOrderId: id, clientOrderId: nil,
                                 status: .new, side: .buy, price: DecimalAmount("1"), quantity: DecimalAmount("1")))]
        }
        daemon.store.faults.failWrites(of: "ingest")
        await #expect(throws: (any Error).self) { _ = try await daemon.ingest(event("disk-full-1")) }
        let failing = try await running.scrape()
        #expect(failing.value("killswitch_storage_ok") == 0)
        #expect(failing.value("killswitch_storage_write_failures_total") == 1)
        daemon.store.faults.clear()
        _ = try await daemon.ingest(event("disk-back-1"))
        let healed = try await running.scrape()
        #expect(healed.value("killswitch_storage_ok") == 1)
        #expect(healed.value("killswitch_storage_write_failures_total") == 1, "a counter never goes back")
    }

    @Test func theListenerServesMetricsAndNothingThatChangesState() async throws {
        let running = try await RunningDaemon.start(engine: Self.engine)
        defer { Task { await running.stop() } }
        let metrics = try await running.request(.GET, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.contentType == "text/plain; version=0.0.4; charset=utf-8")
        #expect(metrics.text.contains("killswitch_tripped_scopes 0"))
        for (method, path) in [(HTTPMethod.POST, "/v1/trip"), (.POST, "/v1/rearm"), (.GET, "/v1/status"), (.POST, "/v1/heartbeats/bot7"), (.POST, "/metrics"), (.GET, "/")] {
            let answer = try await running.request(method, path)
            #expect(!(200..<300).contains(answer.status), "\(method) \(path) answered \(answer.status)")
        }
        #expect(await running.daemon.engine.latchedIncidents.isEmpty, "nothing was tripped through the metrics port")
        // The control socket's /metrics is the same text, state gauges included.
        #expect(try await running.scrape().value("killswitch_tripped_scopes") == 0)
    }

    @Test func aMetricsPortAlreadyTakenIsLoggedAndTheDaemonGoesOn() async throws {
        let running = try await RunningDaemon.start(engine: Self.engine)
        defer { Task { await running.stop() } }
        // A second listener on the same port cannot bind: it must end (not throw, which would stop the
        // daemon's service group) — promptly, and without disturbing the first.
        let second = MetricsListener(daemon: running.daemon, address: MetricsListenAddress(host: "127.0.0.1", port: running.metricsPort))
        let ended = await RunningDaemon.within(.seconds(20)) {
            do {
                try await second.run()
                return true
            } catch {
                return false
            }
        }
        #expect(ended == true, "run() returned without throwing")
        #expect(try await running.request(.GET, "/metrics").status == 200)
        #expect(await running.daemon.engine.gate(venue: "binance", account: "main", symbol: "BTCUSD_PERP").allowed, "the daemon still answers")
    }

    /// The alert rules and the dashboard must only name series a running daemon exports (a renamed metric
    /// would silently never alert).
    @Test func theAlertRulesAndTheDashboardNameOnlySeriesTheDaemonExports() async throws {
        let running = try await RunningDaemon.start(rules: [Self.heartbeatRule], engine: Self.engine)
        defer { Task { await running.stop() } }
        let scrape = try await running.scrape(until: Self.maintained)
        #expect(Self.maintained(scrape))
        let exported = scrape.names
        // Prometheus adds `up` itself.
        let fromRules = try AlertingFiles.metricNames(inExpressions: AlertingFiles.ruleExpressions())
        #expect(fromRules.contains("killswitch_tripped_scopes") && fromRules.contains("up"), "the rules were read: \(fromRules)")
        #expect(fromRules.subtracting(exported).subtracting(["up"]).isEmpty, "rules name series the daemon does not export: \(fromRules.subtracting(exported).subtracting(["up"]).sorted())")
        let fromDashboard = try AlertingFiles.metricNames(inExpressions: AlertingFiles.dashboardExpressions())
        #expect(fromDashboard.count >= 20, "the dashboard's queries were read: \(fromDashboard.sorted())")
        #expect(fromDashboard.subtracting(exported).subtracting(["up"]).isEmpty,
                "the dashboard names series the daemon does not export: \(fromDashboard.subtracting(exported).subtracting(["up"]).sorted())")
        // Naming conventions: `_total` only on counters, every counter ends in `_total`.
        for (family, type) in scrape.types {
            #expect((type == "counter") == family.hasSuffix("_total"), "\(family) is a \(type)")
        }
    }

    @Test(.enabled(if: AlertingFiles.promtool != nil, "promtool is not installed (Debian: the prometheus package); the name checks above still run"))
    func promtoolFindsNoProblemInAScrape() async throws {
        let running = try await RunningDaemon.start(rules: [Self.heartbeatRule], engine: Self.engine)
        defer { Task { await running.stop() } }
        _ = try await running.scrape(until: Self.maintained)
        let text = try await running.request(.GET, "/metrics").text
        let result = try AlertingFiles.runPromtool(["check", "metrics"], stdin: text)
        #expect(result.status == 0, "promtool check metrics:\n\(result.output)")
    }
}
}
