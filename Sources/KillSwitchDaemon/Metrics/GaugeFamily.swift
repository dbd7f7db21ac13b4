import Prometheus
import Synchronization

/// One gauge name whose label sets come and go (rules reloaded, heartbeat sources first heard, venue pools):
/// each refresh sets the series that exist now and unregisters the ones that no longer do, so a scrape
/// never shows a stale value for a rule that was removed.
final class GaugeFamily: Sendable {
    /// Label values in the order of `labelNames`.
    typealias Sample = (labels: [String], value: Double)

    private let registry: PrometheusCollectorRegistry
    private let name: String
    private let help: String
    private let labelNames: [String]
    private let series = Mutex<[[String]: Gauge]>([:])

    init(registry: PrometheusCollectorRegistry, name: String, help: String, labels: [String]) {
        self.registry = registry
        self.name = name
        self.help = help
        self.labelNames = labels
    }

    /// Makes the family exactly `samples`.
    func replace(with samples: [Sample]) {
        series.withLock { series in
            var keep: Set<[String]> = []
            for sample in samples {
                keep.insert(sample.labels)
                let gauge = series[sample.labels] ?? registry.makeGauge(name: name, labels: Array(zip(labelNames, sample.labels)), help: help)
                series[sample.labels] = gauge
                gauge.set(to: sample.value)
            }
            for (labels, gauge) in series where !keep.contains(labels) {
                registry.unregisterGauge(gauge)
                series.removeValue(forKey: labels)
            }
        }
    }

    /// Sets one series, leaving the others as they are.
    func set(_ labels: [String], to value: Double) {
        series.withLock { series in
            let gauge = series[labels] ?? registry.makeGauge(name: name, labels: Array(zip(labelNames, labels)), help: help)
            series[labels] = gauge
            gauge.set(to: value)
        }
    }
}
