extension Daemon {
    /// The Prometheus text (format 0.0.4) both `/metrics` endpoints serve — the control socket's and the
    /// metrics listener's: the state gauges refreshed from what is true now, then the whole registry.
    public func metricsText() async -> [UInt8] {
        killSwitchMetrics.state.update(await stateSnapshot())
        var bytes: [UInt8] = []
        metrics.emit(into: &bytes)
        return bytes
    }

    /// The exposition format's content type.
    static let metricsContentType = "text/plain; version=0.0.4; charset=utf-8"
}
