import Foundation
import KillSwitchConfig
import KillSwitchCore
import Logging
import ServiceLifecycle

/// Background traffic to every venue account between incidents: at start, warm the connection and sync
/// the clock, read Binance's live weight limit, run the armed check; then keep-warm / clock sync and the
/// armed check on their intervals. Every call first takes its rate-limit budget at `.background` priority
/// (so it never takes budget a running incident needs), and nothing is sent to a venue while an incident
/// on it runs. Results land in `daemon.health`; a failing armed check is published once per transition.
public struct VenueMaintenanceService: Service {
    let maintainers: [VenueMaintainer]

    /// `clock` paces the intervals (a `ManualClock` in tests); the buckets keep the daemon's own clock.
    public init(daemon: Daemon, clock: any Clock<Duration> = ContinuousClock()) {
        self.init(daemon: daemon, clock: clock, observe: nil)
    }

    init(daemon: Daemon, clock: any Clock<Duration>, observe: (@Sendable (VenueMaintainer.Report) -> Void)?) {
        let engine = daemon.engine
        var settings = daemon.configuration.maintenance
        if daemon.configuration.engine.mode == .shadow { settings.cancelProbe = false }
        self.init(clients: daemon.clients, limits: daemon.limits, health: daemon.health, events: daemon.events,
                  settings: settings, clock: clock, logger: daemon.logger,
                  isIncidentRunning: { await engine.isIncidentRunning(onVenue: $0) }, observe: observe)
    }

    init(clients: [String: any VenueClient], limits: VenueRateLimits, health: VenueHealthRegistry, events: DaemonEventBus,
         settings: MaintenanceSettings, clock: any Clock<Duration>, logger: Logger,
         wallClock: WallClock = .system,
         isIncidentRunning: @escaping @Sendable (String) async -> Bool,
         observe: (@Sendable (VenueMaintainer.Report) -> Void)? = nil) {
        maintainers = clients.keys.sorted().map { venueId in
            VenueMaintainer(venueId: venueId, client: clients[venueId]!, limits: limits, health: health, events: events, settings: settings,
                            clock: clock, wallClock: wallClock, logger: logger, isIncidentRunning: isIncidentRunning, observe: observe)
        }
    }

    public func run() async throws {
        // Background work only: on shutdown it simply stops (cancelling any wait for budget).
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for maintainer in maintainers {
                    group.addTask { await maintainer.run() }
                }
            }
        }
    }
}
