import KillSwitchCore
import KillSwitchStore
import Prometheus

/// The daemon's metrics, on the daemon's own `PrometheusCollectorRegistry` (rendered by `GET /metrics`).
///
/// Made with the registry's own `make*` API rather than swift-metrics' `Counter(label:dimensions:factory:)`
/// over a `PrometheusMetricsFactory(registry:)`: the registry is per daemon and only ever rendered as
/// Prometheus text, so the swift-metrics layer would add nothing but indirection — and the direct API gives
/// each histogram its own buckets (the factory applies one bucket set per metric kind) and keeps the
/// Prometheus names exactly as written here. Nothing touches the process-global `MetricsSystem`, so several
/// daemons in one process (the tests) never share a series.
///
/// Every series that can be known up front (per configured venue, per rule, per status) is created at
/// start, so a scrape shows zeros rather than missing series before the first incident.
public final class KillSwitchMetrics: Sendable {
    /// Metric names and help texts (the registry insists every use of a name has the same help).
    public enum Name {
        public static let ordersTracked = "killswitch_orders_tracked"
        public static let trips = "killswitch_trips_total"
        public static let cancelOutcomes = "killswitch_cancel_outcomes_total"
        public static let requestLatency = "killswitch_venue_request_duration_seconds"
        public static let tokenWait = "killswitch_rate_limit_wait_seconds"
        public static let incidentDuration = "killswitch_incident_duration_seconds"
        public static let armedCheckFailures = "killswitch_armed_check_failures_total"
    }

    enum Help {
        static let ordersTracked = "Tracked orders by status."
        static let trips = "Trips by rule id (\"manual\" for operator and signal trips)."
        static let cancelOutcomes = "Per-order cancel outcomes recorded, by venue id and outcome kind."
        static let requestLatency = "Latency of answered venue requests during incidents (cancels, cancel-alls, listings), by venue id."
        static let tokenWait = "Time a request waited for its venue's rate-limit tokens, by venue id."
        static let incidentDuration = "Incident fan-out duration, trip (or resume) to end, by how it ended."
        static let armedCheckFailures = "Failed armed checks (credentials, permission, reachability), by venue id."
    }

    static let latencyBuckets: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                             .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10)]
    static let waitBuckets: [Duration] = [.microseconds(100), .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100),
                                          .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2_500), .seconds(5), .seconds(10), .seconds(30)]
    static let incidentBuckets: [Duration] = [.milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
                                              .seconds(10), .seconds(30), .seconds(60), .seconds(120), .seconds(300), .seconds(900)]

    public let registry: PrometheusCollectorRegistry
    private let orderCounts: OrderStatusCounts?
    private let ordersByStatus: [OrderStatus: Gauge]

    /// - Parameters:
    ///   - orderCounts: the store's live counts behind the orders-by-status gauge (nil: no such gauge updates).
    ///   - venues, rules: ids whose series are created at start.
    public init(registry: PrometheusCollectorRegistry, orderCounts: OrderStatusCounts?, venues: [String] = [], rules: [String] = []) {
        self.registry = registry
        self.orderCounts = orderCounts
        ordersByStatus = Dictionary(uniqueKeysWithValues: OrderStatus.allCases.map { status in
            (status, registry.makeGauge(name: Name.ordersTracked, labels: [("status", status.rawValue)], help: Help.ordersTracked))
        })
        for venue in venues {
            for kind in CancelOutcomeKind.allCases { _ = outcomeCounter(venue, kind) }
            _ = latencyHistogram(venue)
            _ = waitHistogram(venue)
            _ = armedCheckCounter(venue)
        }
        for rule in rules + ["manual"] { _ = tripCounter(rule) }
        for ending in ["flat", "incomplete"] { _ = incidentHistogram(ending) }
        ordersChanged()
    }

    // MARK: Hooks (cheap: a few locked counter updates, no I/O)

    /// A venue answered (or failed to answer) a request that left: its latency, and the per-order outcomes
    /// recorded from it (none for cancel-alls and listings).
    public func requestAnswered(venueId: String, latencyNanoseconds: Int64, outcomes: [OrderCancelOutcome]) {
        latencyHistogram(venueId).record(Duration.nanoseconds(latencyNanoseconds))
        outcomesRecorded(venueId: venueId, outcomes: outcomes)
    }

    /// Outcomes recorded without a venue answer of their own (verification by listing, a refused send).
    public func outcomesRecorded(venueId: String, outcomes: [OrderCancelOutcome]) {
        guard !outcomes.isEmpty else {
            ordersChanged()
            return
        }
        var byKind: [CancelOutcomeKind: Int64] = [:]
        for outcome in outcomes { byKind[outcome.kind, default: 0] += 1 }
        for (kind, count) in byKind { outcomeCounter(venueId, kind).increment(by: count) }
        ordersChanged()
    }

    /// A request waited `wait` for its rate-limit tokens.
    public func tokenWaited(venueId: String, wait: Duration) {
        waitHistogram(venueId).record(wait)
    }

    /// Order statuses changed (ingest, cancel outcomes, listings): copy the store's counts into the gauges.
    public func ordersChanged() {
        guard let orderCounts else { return }
        for (status, count) in orderCounts.snapshot { ordersByStatus[status]?.set(Double(count)) }
    }

    /// Trips, incident ends and failed armed checks, as published on the daemon's event bus.
    public func record(_ event: DaemonEvent) {
        switch event {
        case .tripped(let incident):
            tripCounter(incident.ruleId ?? "manual").increment()
        case .incidentEnded(_, let outcome, let durationNanoseconds):
            incidentHistogram(outcome.rawValue).record(Duration.nanoseconds(durationNanoseconds))
        case .armedCheckFailed(let venueId, _):
            armedCheckCounter(venueId).increment()
        case .rearmed:
            break
        }
    }

    // MARK: Series (the registry returns the existing series for a name and label set)

    private func outcomeCounter(_ venueId: String, _ kind: CancelOutcomeKind) -> Counter {
        registry.makeCounter(name: Name.cancelOutcomes, labels: [("venue", venueId), ("kind", kind.rawValue)], help: Help.cancelOutcomes)
    }

    private func tripCounter(_ rule: String) -> Counter {
        registry.makeCounter(name: Name.trips, labels: [("rule", rule)], help: Help.trips)
    }

    private func armedCheckCounter(_ venueId: String) -> Counter {
        registry.makeCounter(name: Name.armedCheckFailures, labels: [("venue", venueId)], help: Help.armedCheckFailures)
    }

    private func latencyHistogram(_ venueId: String) -> DurationHistogram {
        registry.makeDurationHistogram(name: Name.requestLatency, labels: [("venue", venueId)], buckets: Self.latencyBuckets, help: Help.requestLatency)
    }

    private func waitHistogram(_ venueId: String) -> DurationHistogram {
        registry.makeDurationHistogram(name: Name.tokenWait, labels: [("venue", venueId)], buckets: Self.waitBuckets, help: Help.tokenWait)
    }

    private func incidentHistogram(_ ending: String) -> DurationHistogram {
        registry.makeDurationHistogram(name: Name.incidentDuration, labels: [("outcome", ending)], buckets: Self.incidentBuckets, help: Help.incidentDuration)
    }
}
