import Foundation
import Prometheus
import Testing
import KillSwitchCore
@testable import KillSwitchDaemon
import KillSwitchStore

/// The mapping from a state snapshot to series, without a daemon: what appears, what disappears, what stays.
@Suite struct StateMetricsTests {
    static func snapshot(rules: [RuleEvaluation] = [], venues: [DaemonStateSnapshot.VenueState] = [], heartbeats: [DaemonStateSnapshot.Heartbeat] = [],
                         storage: StorageHealth.Snapshot = .init(), incomplete: Int = 0, buckets: [DaemonStateSnapshot.Bucket] = []) -> DaemonStateSnapshot {
        DaemonStateSnapshot(trippedScopes: 0, incidentsByState: [:], incomplete: incomplete, venues: venues, heartbeats: heartbeats, rules: rules,
                            storage: storage, databaseBytes: 4096, buckets: buckets)
    }

    @Test func poolsShowTheirLevelCapacityQueueAndHold() {
        let registry = PrometheusCollectorRegistry()
        let metrics = StateMetrics(registry: registry, build: .unknown)
        metrics.update(Self.snapshot(buckets: [
            .init(venue: "binance", pool: "weight", level: 0, capacity: 2160, waiting: 3, penalized: true),
            .init(venue: "gate", pool: "cancels", level: 150, capacity: 180, waiting: 0, penalized: false),
        ]))
        let scrape = Self.scrape(registry)
        #expect(scrape.value("killswitch_rate_limit_penalized", ["venue": "binance", "pool": "weight"]) == 1)
        #expect(scrape.value("killswitch_rate_limit_penalized", ["venue": "gate", "pool": "cancels"]) == 0)
        #expect(scrape.value("killswitch_rate_limit_waiting_requests", ["venue": "binance", "pool": "weight"]) == 3)
        #expect(scrape.value("killswitch_rate_limit_tokens", ["venue": "gate", "pool": "cancels"]) == 150)
        #expect(scrape.value("killswitch_rate_limit_capacity_tokens", ["venue": "binance", "pool": "weight"]) == 2160)
    }

    static func scrape(_ registry: PrometheusCollectorRegistry) -> PrometheusText { PrometheusText(registry.emitToString()) }

    @Test func seriesForRulesAndSourcesThatAreGoneDisappear() {
        let registry = PrometheusCollectorRegistry()
        let metrics = StateMetrics(registry: registry, build: BuildIdentity(version: "1.2.3", commit: "abc1234"))
        let loss = RuleEvaluation(ruleId: "daily-loss", fired: false, value: "-100", threshold: "-25000", reason: "",
                                  measures: [RuleMeasure(name: "pnl", value: -100, threshold: -25_000)])
        let exposure = RuleEvaluation(ruleId: "too-much", fired: true, value: "", threshold: "", reason: "",
                                      measures: [RuleMeasure(name: "open_orders", value: 12, threshold: 10), RuleMeasure(name: "open_notional", value: 5, threshold: 100)])
        metrics.update(Self.snapshot(rules: [loss, exposure], heartbeats: [.init(source: "bot7", ageSeconds: 2.5, timeoutSeconds: 5), .init(source: "old", ageSeconds: 900, timeoutSeconds: nil)]))
        let first = Self.scrape(registry)
        #expect(first.value("killswitch_rule_value", ["rule": "daily-loss", "measure": "pnl"]) == -100)
        #expect(first.value("killswitch_rule_threshold", ["rule": "daily-loss", "measure": "pnl"]) == -25_000)
        #expect(first.value("killswitch_rule_value", ["rule": "too-much", "measure": "open_orders"]) == 12)
        #expect(first.value("killswitch_rule_threshold", ["rule": "too-much", "measure": "open_notional"]) == 100)
        #expect(first.value("killswitch_rule_firing", ["rule": "too-much"]) == 1)
        #expect(first.value("killswitch_heartbeat_age_seconds", ["source": "bot7"]) == 2.5)
        #expect(first.value("killswitch_heartbeat_timeout_seconds", ["source": "bot7"]) == 5)
        #expect(first.value("killswitch_heartbeat_age_seconds", ["source": "old"]) == 900)
        #expect(first.all("killswitch_heartbeat_timeout_seconds").count == 1, "no timeout for a source no rule watches")
        #expect(first.value("killswitch_build_info", ["version": "1.2.3", "commit": "abc1234"]) == 1)

        // A reload removed too-much; bot7's rule went with it.
        metrics.update(Self.snapshot(rules: [loss]))
        let second = Self.scrape(registry)
        #expect(second.all("killswitch_rule_value").map { $0.labels["rule"] } == ["daily-loss"])
        #expect(second.all("killswitch_rule_firing").count == 1)
        #expect(second.all("killswitch_heartbeat_age_seconds").isEmpty)
        #expect(second.value("killswitch_build_info", ["version": "1.2.3"]) == 1, "build info stays")
    }

    @Test func anArmedCheckNotRunYetIsNoSeriesNotAFailure() {
        let registry = PrometheusCollectorRegistry()
        let metrics = StateMetrics(registry: registry, build: .unknown)
        metrics.update(Self.snapshot(venues: [
            .init(id: "gate", tripped: true, armedCheckOK: nil, armedCheckAtMilliseconds: nil, clockOffsetMilliseconds: -1_500),
            .init(id: "htx", tripped: false, armedCheckOK: false, armedCheckAtMilliseconds: 1_764_065_700_000, clockOffsetMilliseconds: nil),
        ]))
        let scrape = Self.scrape(registry)
        #expect(scrape.value("killswitch_venue_armed_check_ok", ["venue": "gate"]) == nil)
        #expect(scrape.value("killswitch_venue_armed_check_ok", ["venue": "htx"]) == 0)
        #expect(scrape.value("killswitch_venue_armed_check_timestamp_seconds", ["venue": "htx"]) == 1_764_065_700)
        #expect(scrape.value("killswitch_venue_clock_offset_seconds", ["venue": "gate"]) == -1.5)
        #expect(scrape.value("killswitch_venue_tripped", ["venue": "gate"]) == 1)
        #expect(scrape.value("killswitch_venue_tripped", ["venue": "htx"]) == 0)
    }

    @Test func storageFailuresCountOnce() {
        let registry = PrometheusCollectorRegistry()
        let metrics = StateMetrics(registry: registry, build: .unknown)
        var storage = StorageHealth.Snapshot()
        storage.ok = false
        storage.failures = 2
        metrics.update(Self.snapshot(storage: storage, incomplete: 1))
        metrics.update(Self.snapshot(storage: storage, incomplete: 1))
        var scrape = Self.scrape(registry)
        #expect(scrape.value("killswitch_storage_ok") == 0)
        #expect(scrape.value("killswitch_storage_write_failures_total") == 2, "two failures, scraped twice, counted once")
        #expect(scrape.value("killswitch_incidents_incomplete") == 1)
        #expect(scrape.value("killswitch_database_size_bytes") == 4096)
        storage.ok = true
        storage.failures = 3
        metrics.update(Self.snapshot(storage: storage))
        scrape = Self.scrape(registry)
        #expect(scrape.value("killswitch_storage_ok") == 1)
        #expect(scrape.value("killswitch_storage_write_failures_total") == 3)
        #expect(scrape.value("killswitch_incidents_incomplete") == 0)
        for state in DaemonStateSnapshot.incidentStates { #expect(scrape.value("killswitch_incidents", ["state": state]) == 0) }
    }
}
