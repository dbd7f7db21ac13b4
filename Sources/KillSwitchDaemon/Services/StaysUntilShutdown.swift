import ServiceLifecycle

/// A background service that may end on its own (nothing to do: no venues, no webhooks, no countdowns), kept in
/// the group until its graceful shutdown. To `ServiceGroup`, a service that finishes by itself while the group is
/// shutting the others down is an unexpected end: a SIGTERM during start-up, before such a service had returned,
/// made the daemon exit 1 instead of 0.
struct StaysUntilShutdown<Base: Service>: Service {
    let base: Base

    init(_ base: Base) { self.base = base }

    func run() async throws {
        try await base.run()
        // Cancelled instead (the group is torn down): nothing to wait for.
        try? await gracefulShutdown()
    }
}
