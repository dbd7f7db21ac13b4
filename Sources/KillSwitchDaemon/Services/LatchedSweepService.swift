import Foundation
import ServiceLifecycle

/// Enforcement while a scope stays latched: every `[engine] latched_sweep_every`, each venue account in a
/// latched scope whose incident ended `flat` is listed again, and anything open in the scope — a bot that
/// ignored the gate, a trigger order that fired — is cancelled on sight and recorded (`TripEngine.sweepLatched`).
/// One listing per venue account per round, through the same rate limits as the cancels.
struct LatchedSweepService: Service {
    let daemon: Daemon

    func run() async throws {
        let every = daemon.configuration.engine.latchedSweepEvery
        let clock = ContinuousClock()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await clock.sleep(for: every) } catch { return }
                await daemon.engine.sweepLatched()
            }
        }
    }
}
