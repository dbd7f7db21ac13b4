import KillSwitchStore
import Logging
import ServiceLifecycle

/// Checkpoints the database's write-ahead log every `every` from its own connection and thread
/// (`WALCheckpointer`), so commits on the trip path and order events never pay for one. While it runs the
/// writer does not checkpoint; when it stops, or while its checkpoints fail, the writer does again — the log
/// never goes unchecked.
struct CheckpointService: Service {
    let store: Store
    let logger: Logger
    var every: Duration = .seconds(1)
    var clock: any Clock<Duration> = ContinuousClock()

    func run() async throws {
        let checkpointer: WALCheckpointer
        do {
            checkpointer = try WALCheckpointer(path: store.path)
        } catch {
            logger.error("no background checkpoints: the writer keeps checkpointing the log itself", metadata: ["error": "\(error)"])
            return
        }
        let store = store, logger = logger, every = every, clock = clock
        await cancelWhenGracefulShutdown {
            var handedOver = await Self.handOver(store, toCheckpointer: true, logger: logger)
            while !Task.isCancelled {
                do { try await clock.sleep(for: every) } catch { break }
                do {
                    _ = try await checkpointer.checkpoint()
                    if !handedOver { handedOver = await Self.handOver(store, toCheckpointer: true, logger: logger) }
                } catch {
                    // The writer takes over until a checkpoint succeeds again (logged once per failing spell).
                    if handedOver {
                        logger.error("background checkpoint failed; the writer checkpoints meanwhile", metadata: ["error": "\(error)"])
                        handedOver = !(await Self.handOver(store, toCheckpointer: false, logger: logger))
                    }
                }
            }
        }
        _ = await Self.handOver(store, toCheckpointer: false, logger: logger)
        _ = try? await checkpointer.checkpoint()
    }

    /// Tells the writer whether a checkpointer does its checkpoints; true when the change took.
    private static func handOver(_ store: Store, toCheckpointer: Bool, logger: Logger) async -> Bool {
        do {
            try await store.setAutomaticCheckpoints(!toCheckpointer)
            return true
        } catch {
            logger.error("could not change who checkpoints the log", metadata: ["error": "\(error)"])
            return false
        }
    }
}
