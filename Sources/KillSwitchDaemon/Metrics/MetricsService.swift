import ServiceLifecycle

/// Feeds the daemon's events (trips, incident ends, failed armed checks) into its metrics. The stream is
/// subscribed when the daemon is built, so events published before this service starts are not lost.
struct MetricsService: Service {
    let metrics: KillSwitchMetrics
    let events: AsyncStream<DaemonEvent>

    func run() async throws {
        for await event in events.cancelOnGracefulShutdown() {
            metrics.record(event)
        }
    }
}
