import Foundation
import KillSwitchCore
import Logging
import ServiceLifecycle

/// The trip engine as a service: warms the venue connections, resumes incidents a crash left running,
/// then stays up until shutdown. An incident in flight at shutdown keeps its durable state and resumes
/// on the next start.
struct EngineService: Service {
    let daemon: Daemon

    func run() async throws {
        await RequestContext.$current.withValue(.background) {
            await withTaskGroup(of: Void.self) { group in
                // Before resuming: a resumed incident signs with the synced clock. Budget taken like any
                // background call (nothing else runs yet, so it is there at once).
                for client in daemon.clients.values {
                    group.addTask { await client.warmUp() }
                }
            }
        }
        let resumed = try await daemon.engine.resumeRunningIncidents()
        if !resumed.isEmpty {
            daemon.logger.warning("resumed incidents", metadata: ["incidents": "\(resumed)"])
        }
        if daemon.options.exitWhenIdle {
            for id in resumed { _ = await daemon.engine.waitForIncident(id) }
            return
        }
        // Stay up until the group is told to stop.
        try? await gracefulShutdown()
    }
}
