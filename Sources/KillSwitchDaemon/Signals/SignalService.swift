import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// Operator signals: SIGUSR1 trips everything ("signal SIGUSR1"), SIGHUP reloads the rules. SIGTERM and
/// SIGINT are the ServiceGroup's graceful-shutdown signals, not handled here.
struct SignalService: Service {
    let daemon: Daemon

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sigusr1, .sighup)
        daemon.logger.info("listening for signals: SIGUSR1 trips everything, SIGHUP reloads the rules")
        for await signal in signals.cancelOnGracefulShutdown() {
            if signal == .sigusr1 {
                daemon.logger.critical("SIGUSR1: tripping everything")
                let id = await daemon.engine.trip(scope: .everything, reason: "signal SIGUSR1", actor: "signal")
                daemon.logger.notice("SIGUSR1 trip latched", metadata: ["incident": "\(id)"])
            } else if signal == .sighup {
                daemon.logger.notice("SIGHUP: reloading rules")
                await daemon.reloadRules()
            }
        }
    }
}
