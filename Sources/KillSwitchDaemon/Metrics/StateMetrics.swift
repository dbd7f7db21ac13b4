import Prometheus
import Synchronization

/// The gauges that say what is true now — tripped, incidents by state, venue health, heartbeat ages, rules
/// against their thresholds, storage — which alert rules are written on. Refreshed from a
/// `DaemonStateSnapshot` at every scrape rather than kept current by hooks: most are read from state the
/// daemon already keeps (the engine, the rule engine, the health registry), a heartbeat's age changes with
/// nothing happening, and a scrape is the only moment the values are needed.
final class StateMetrics: Sendable {
    private let trippedScopes: Gauge
    private let incidentsIncomplete: Gauge
    private let storageOK: Gauge
    private let storageFailures: Counter
    private let databaseBytes: Gauge
    private let incidents: GaugeFamily
    private let venueTripped: GaugeFamily
    private let armedCheckOK: GaugeFamily
    private let armedCheckAt: GaugeFamily
    private let clockOffset: GaugeFamily
    private let heartbeatAge: GaugeFamily
    private let heartbeatTimeout: GaugeFamily
    private let ruleFiring: GaugeFamily
    private let ruleValue: GaugeFamily
    private let ruleThreshold: GaugeFamily
    private let bucketTokens: GaugeFamily
    private let bucketCapacity: GaugeFamily
    private let bucketWaiting: GaugeFamily
    private let bucketPenalized: GaugeFamily
    private let countdownProtection: GaugeFamily
    private let countdownArmedUntil: GaugeFamily
    private let countdownFailures: GaugeFamily
    /// Storage failures already added to the counter (the store counts them; the counter follows).
    private let failuresExported = Mutex(0)

    init(registry: PrometheusCollectorRegistry, build: BuildIdentity, shadow: Bool = false) {
        func family(_ name: String, _ labels: [String], _ help: String) -> GaugeFamily {
            GaugeFamily(registry: registry, name: name, help: help, labels: labels)
        }
        trippedScopes = registry.makeGauge(name: "killswitch_tripped_scopes", help: "Distinct scopes latched tripped now (the gate blocks orders inside them).")
        incidentsIncomplete = registry.makeGauge(name: "killswitch_incidents_incomplete",
                                                 help: "Latched incidents whose last fan-out ended incomplete: orders may still rest; the daemon keeps trying.")
        storageOK = registry.makeGauge(name: "killswitch_storage_ok", help: "1 while the store's last write succeeded, 0 from a failed write until one succeeds.")
        storageFailures = registry.makeCounter(name: "killswitch_storage_write_failures_total", help: "Store writes that failed (disk full, I/O error, locked database).")
        databaseBytes = registry.makeGauge(name: "killswitch_database_size_bytes", help: "Size of the SQLite database file plus its write-ahead log.")
        registry.makeGauge(name: "killswitch_build_info", labels: [("version", build.version), ("commit", build.commit)],
                           help: "Always 1; the labels say which build is running.").set(to: 1)
        registry.makeGauge(name: "killswitch_shadow_mode",
                           help: "1 when [engine] mode is shadow: trips are planned and recorded, nothing is cancelled — the venues are unprotected.")
            .set(to: shadow ? 1 : 0)
        incidents = family("killswitch_incidents", ["state"],
                           "Latched incidents by where their cancelling stands: starting, running, keep_trying (ended incomplete, next attempt scheduled), ended (flat; the latched sweep watches it).")
        venueTripped = family("killswitch_venue_tripped", ["venue"], "1 when a latched scope covers the venue account, wholly or in part.")
        armedCheckOK = family("killswitch_venue_armed_check_ok", ["venue"], "Result of the last armed check (a signed read-only listing): 1 the key can list and so cancel, 0 it cannot.")
        armedCheckAt = family("killswitch_venue_armed_check_timestamp_seconds", ["venue"], "When the last armed check ran (Unix time).")
        clockOffset = family("killswitch_venue_clock_offset_seconds", ["venue"], "Venue clock minus local clock at the last clock sync.")
        heartbeatAge = family("killswitch_heartbeat_age_seconds", ["source"],
                              "Seconds since the source last heartbeated (a watched source never heard counts from when its rule was armed).")
        heartbeatTimeout = family("killswitch_heartbeat_timeout_seconds", ["source"], "The heartbeat timeout of the rule watching the source (the shortest, if several).")
        ruleFiring = family("killswitch_rule_firing", ["rule"], "1 while the rule's condition holds (whether or not its incident is still latched).")
        ruleValue = family("killswitch_rule_value", ["rule", "measure"], "A rule's current value of the quantity it limits (see docs/alerting.md for each measure).")
        ruleThreshold = family("killswitch_rule_threshold", ["rule", "measure"], "The limit a rule compares killswitch_rule_value with.")
        bucketTokens = family("killswitch_rate_limit_tokens", ["venue", "pool"],
                              "What the venue's rate-limit pool may grant now without waiting (requests, or weight for Binance).")
        bucketCapacity = family("killswitch_rate_limit_capacity_tokens", ["venue", "pool"], "The pool's usable count per window (after the safety margin).")
        bucketWaiting = family("killswitch_rate_limit_waiting_requests", ["venue", "pool"], "Requests waiting for the pool's tokens.")
        bucketPenalized = family("killswitch_rate_limit_penalized", ["venue", "pool"],
                                 "1 while the venue's hold is in force (a 429's Retry-After, a Binance ban): the pool sends nothing until it ends.")
        countdownProtection = family("killswitch_dms_protection", ["venue", "protection"],
                                     "1 for the venue's current countdown protection (armed, partial, failing, arming, daemon-only, disarmed, left-armed), 0 for the others.")
        countdownArmedUntil = family("killswitch_dms_armed_until_timestamp_seconds", ["venue"],
                                     "When the venue's countdown cancel-all fires unless refreshed (Unix time; the venue's trigger time where it answers one).")
        countdownFailures = family("killswitch_dms_refresh_failures", ["venue"], "Consecutive failed countdown refreshes (dms-lost trips at [engine] dms_failures).")
    }

    func update(_ state: DaemonStateSnapshot) {
        trippedScopes.set(to: Double(state.trippedScopes))
        incidents.replace(with: DaemonStateSnapshot.incidentStates.map { ([$0], Double(state.incidentsByState[$0] ?? 0)) })
        incidentsIncomplete.set(to: Double(state.incomplete))

        venueTripped.replace(with: state.venues.map { ([$0.id], $0.tripped ? 1 : 0) })
        armedCheckOK.replace(with: state.venues.compactMap { venue in venue.armedCheckOK.map { ([venue.id], $0 ? 1 : 0) } })
        armedCheckAt.replace(with: state.venues.compactMap { venue in venue.armedCheckAtMilliseconds.map { ([venue.id], Double($0) / 1_000) } })
        clockOffset.replace(with: state.venues.compactMap { venue in venue.clockOffsetMilliseconds.map { ([venue.id], Double($0) / 1_000) } })

        heartbeatAge.replace(with: state.heartbeats.map { ([$0.source], $0.ageSeconds) })
        heartbeatTimeout.replace(with: state.heartbeats.compactMap { beat in beat.timeoutSeconds.map { ([beat.source], $0) } })

        ruleFiring.replace(with: state.rules.map { ([$0.ruleId], $0.fired ? 1 : 0) })
        ruleValue.replace(with: state.rules.flatMap { rule in rule.measures.map { ([rule.ruleId, $0.name], $0.value) } })
        ruleThreshold.replace(with: state.rules.flatMap { rule in rule.measures.map { ([rule.ruleId, $0.name], $0.threshold) } })

        storageOK.set(to: state.storage.ok ? 1 : 0)
        let newFailures = failuresExported.withLock { exported in
            defer { exported = max(exported, state.storage.failures) }
            return max(0, state.storage.failures - exported)
        }
        if newFailures > 0 { storageFailures.increment(by: Int64(newFailures)) }
        if let bytes = state.databaseBytes { databaseBytes.set(to: Double(bytes)) }

        bucketTokens.replace(with: state.buckets.map { ([$0.venue, $0.pool], $0.level) })
        bucketCapacity.replace(with: state.buckets.map { ([$0.venue, $0.pool], $0.capacity) })
        bucketWaiting.replace(with: state.buckets.map { ([$0.venue, $0.pool], Double($0.waiting)) })
        bucketPenalized.replace(with: state.buckets.map { ([$0.venue, $0.pool], $0.penalized ? 1 : 0) })

        let countdowns = state.countdowns.sorted { $0.key < $1.key }
        countdownProtection.replace(with: countdowns.flatMap { venue, status in
            CountdownStatus.protections.map { ([venue, $0], status.protection == $0 ? 1 : 0) }
        })
        countdownArmedUntil.replace(with: countdowns.compactMap { venue, status in status.armedUntil.map { ([venue], Double($0) / 1_000) } })
        countdownFailures.replace(with: countdowns.compactMap { venue, status in status.protection == "daemon-only" ? nil : ([venue], Double(status.consecutiveFailures)) })
    }
}
