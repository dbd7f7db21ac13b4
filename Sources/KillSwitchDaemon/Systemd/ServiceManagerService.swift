import Logging
import ServiceLifecycle

/// Tells systemd (`Type=notify`) when the daemon is ready and, with `WatchdogSec=`, that it is alive.
///
/// - `READY=1` once the control socket listens. By then `Daemon.init` has opened the store, loaded the rules
///   and built every venue client, and the other services are running, so `systemctl start` returning means
///   the CLI and the bots can use the socket.
/// - `WATCHDOG=1` every half `WATCHDOG_USEC`, each only after a round trip through the trip engine's and the
///   rule engine's actors: a wedged engine stops the pings and systemd restarts the daemon (which resumes the
///   incident). Never a bare timer, and never tied to the store: a full disk must not get the daemon killed
///   mid-incident — the engine still cancels with the store failing.
/// - `STOPPING=1` at graceful shutdown.
///
/// A no-op when `NOTIFY_SOCKET` is unset (not under systemd, or `Type=simple`).
struct ServiceManagerService<C: Clock>: Service where C.Duration == Duration {
    /// What the service did, for tests.
    enum Step: Sendable, Equatable {
        /// Waiting for the control socket; nothing has been sent yet.
        case waitingUntilReady
        case ready
        /// Tick `n`'s liveness round trip has started.
        case probing(Int)
        /// Tick `n`'s `WATCHDOG=1` was sent.
        case pinged(Int)
        case stopping
    }

    let environment: [String: String]
    let ready: ReadinessSignal
    /// The liveness check awaited before each ping.
    let probe: @Sendable () async -> Void
    let clock: C
    let logger: Logger
    var observe: @Sendable (Step) -> Void = { _ in }

    func run() async {
        let notifier: ServiceManagerNotifier
        do {
            guard let configured = try ServiceManagerNotifier(environment: environment) else { return }
            notifier = configured
        } catch {
            // Not fatal: systemd will time the start out and say so; the kill switch itself still runs.
            logger.error("cannot notify systemd", metadata: ["error": "\(error)"])
            return
        }
        let ready = self.ready
        observe(.waitingUntilReady)
        await cancelWhenGracefulShutdown { await ready.wait() }
        guard ready.isFulfilled, !Task.isShuttingDownGracefully, !Task.isCancelled else { return }
        send("READY=1\nSTATUS=control socket listening", through: notifier)
        observe(.ready)
        logger.info("told systemd the daemon is ready", metadata: ["notify_socket": "\(notifier.address)"])
        if let interval = ServiceManagerNotifier.watchdogPingInterval(environment: environment) {
            logger.info("systemd watchdog: pinging after each engine round trip", metadata: ["interval": "\(interval)"])
            await cancelWhenGracefulShutdown { await self.watchdog(every: interval, notifier: notifier) }
        } else {
            try? await gracefulShutdown()
        }
        send("STOPPING=1", through: notifier)
        observe(.stopping)
    }

    func watchdog(every interval: Duration, notifier: ServiceManagerNotifier) async {
        var tick = 0
        while !Task.isCancelled {
            do { try await clock.sleep(for: interval) } catch { return }
            tick += 1
            observe(.probing(tick))
            await probe()
            guard !Task.isCancelled else { return }
            send("WATCHDOG=1", through: notifier)
            observe(.pinged(tick))
        }
    }

    func send(_ message: String, through notifier: ServiceManagerNotifier) {
        if let failure = notifier.send(message) {
            logger.warning("systemd notification not sent", metadata: ["message": "\(message.prefix { $0 != "\n" })", "error": "\(failure)"])
        }
    }
}

extension ServiceManagerService where C == ContinuousClock {
    /// The daemon's: its environment and logger, the real clock, and `livenessProbe(daemon)`.
    init(daemon: Daemon, ready: ReadinessSignal) {
        self.init(environment: daemon.options.environment, ready: ready, probe: livenessProbe(daemon), clock: ContinuousClock(),
                  logger: daemon.logger)
    }
}

/// The watchdog's liveness check: a round trip through the trip engine's actor, then the rule engine's. It
/// returns only when both are taking work.
func livenessProbe(_ daemon: Daemon) -> @Sendable () async -> Void {
    let engine = daemon.engine, rules = daemon.rules
    return {
        await roundTrip(through: engine)
        await roundTrip(through: rules)
    }
}
