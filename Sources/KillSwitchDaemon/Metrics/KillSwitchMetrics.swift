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
    /// Names and help texts (the registry insists every use of a name has the same help). Computed: the
    /// descriptor type is not Sendable.
    enum Descriptor {
        static var ordersTracked: MetricNameDescriptor { .init(namespace: "killswitch", metricName: "orders_tracked", unitName: "", helpText: "Tracked orders by status.") }
        static var trips: MetricNameDescriptor { .init(namespace: "killswitch", metricName: "trips", unitName: "total", helpText: "Trips by rule id (\"manual\" for operator and signal trips).") }
        static var cancelOutcomes: MetricNameDescriptor {
            .init(namespace: "killswitch", metricName: "cancel_outcomes", unitName: "total", helpText: "Per-order cancel outcomes recorded, by venue id and outcome kind.")
        }
        static var requestLatency: MetricNameDescriptor {
            .init(namespace: "killswitch", metricName: "venue_request_duration", unitName: "seconds",
                  helpText: "Latency of answered venue requests during incidents (cancels, cancel-alls, listings), by venue id.")
        }
        static var tokenWait: MetricNameDescriptor {
            .init(namespace: "killswitch", metricName: "rate_limit_wait", unitName: "seconds", helpText: "Time a request waited for its venue's rate-limit tokens, by venue id.")
        }
        static var incidentDuration: MetricNameDescriptor {
            .init(namespace: "killswitch", metricName: "incident_duration", unitName: "seconds", helpText: "Incident fan-out duration, trip (or resume) to end, by how it ended.")
        }
        static var armedCheckFailures: MetricNameDescriptor {
            .init(namespace: "killswitch", metricName: "armed_check_failures", unitName: "total", helpText: "Failed armed checks (credentials, permission, reachability), by venue id.")
        }
        static var untrackedOpenOrders: MetricNameDescriptor {
            .init(namespace: "killswitch", metricName: "venue_untracked_open_orders", unitName: "",
                  helpText: "Open orders the last listing of the venue account found that no bot had reported (within the scope it listed).")
        }
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
    /// The gauges of what is true now, refreshed at each scrape (`Daemon.metricsText()`).
    let state: StateMetrics

    /// - Parameters:
    ///   - orderCounts: the store's live counts behind the orders-by-status gauge (nil: no such gauge updates).
    ///   - venues, rules: ids whose series are created at start.
    public init(registry: PrometheusCollectorRegistry, orderCounts: OrderStatusCounts?, venues: [String] = [], rules: [String] = [],
                build: BuildIdentity = .unknown, shadow: Bool = false) {
        self.registry = registry
        self.orderCounts = orderCounts
        self.state = StateMetrics(registry: registry, build: build, shadow: shadow)
        ordersByStatus = Dictionary(uniqueKeysWithValues: OrderStatus.allCases.map { status in
            (status, registry.makeGauge(descriptor: Descriptor.ordersTracked, labels: [("status", status.rawValue)]))
        })
        for venue in venues {
            for kind in CancelOutcomeKind.allCases { _ = outcomeCounter(venue, kind) }
            _ = latencyHistogram(venue)
            _ = waitHistogram(venue)
            _ = armedCheckCounter(venue)
            // Zero until a listing finds otherwise: the name exists from the first scrape, for alert rules.
            untrackedGauge(venue).set(to: 0)
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

    /// A listing of the venue account (any purpose: verification, final sweep, latched sweep) found
    /// `untracked` open orders no bot had reported.
    public func listed(venueId: String, untracked: Int) {
        untrackedGauge(venueId).set(to: Double(untracked))
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
        case .rearmed, .storage, .countdownFailed:
            break
        }
    }

    // MARK: Series (the registry returns the existing series for a name and label set)

    private func outcomeCounter(_ venueId: String, _ kind: CancelOutcomeKind) -> Counter {
        registry.makeCounter(descriptor: Descriptor.cancelOutcomes, labels: [("venue", venueId), ("kind", kind.rawValue)])
    }

    private func tripCounter(_ rule: String) -> Counter {
        registry.makeCounter(descriptor: Descriptor.trips, labels: [("rule", rule)])
    }

    private func armedCheckCounter(_ venueId: String) -> Counter {
        registry.makeCounter(descriptor: Descriptor.armedCheckFailures, labels: [("venue", venueId)])
    }

    private func untrackedGauge(_ venueId: String) -> Gauge {
        registry.makeGauge(descriptor: Descriptor.untrackedOpenOrders, labels: [("venue", venueId)])
    }

    private func latencyHistogram(_ venueId: String) -> DurationHistogram {
        registry.makeDurationHistogram(descriptor: Descriptor.requestLatency, labels: [("venue", venueId)], buckets: Self.latencyBuckets)
    }

    private func waitHistogram(_ venueId: String) -> DurationHistogram {
        registry.makeDurationHistogram(descriptor: Descriptor.tokenWait, labels: [("venue", venueId)], buckets: Self.waitBuckets)
    }

    private func incidentHistogram(_ ending: String) -> DurationHistogram {
        registry.makeDurationHistogram(descriptor: Descriptor.incidentDuration, labels: [("outcome", ending)], buckets: Self.incidentBuckets)
    }
}
