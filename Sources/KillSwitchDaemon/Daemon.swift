import AsyncHTTPClient
import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchStore
import Logging
import Prometheus
import ServiceLifecycle
import Venues

/// Everything a running daemon is made of, built from one configuration by the same loader `run`, `config
/// check` and `demo` use.
public final class Daemon: Sendable {
    public let configuration: KillSwitchConfiguration
    public let store: Store
    public let engine: TripEngine
    public let clients: [String: any VenueClient]
    /// Per countdown (`CountdownGroup.key`): a client of the arming entry on connections of its own, sharing
    /// its venue clock, so an incident's load on the entry's pool never delays a refresh.
    let countdownClients: [String: any VenueClient]
    /// Each venue entry's countdown protection (`dms`), for status and metrics.
    public let countdowns: CountdownBoard
    public let limits: VenueRateLimits
    public let rules: RuleEngine<ContinuousClock>
    /// Per-venue-account health (last answer, armed check, clock offset) for `/v1/status`.
    public let health = VenueHealthRegistry()
    /// This daemon's metrics, rendered by `GET /metrics` (per daemon, not the process-global factory, so
    /// several daemons in one test process stay apart).
    public let metrics = PrometheusCollectorRegistry()
    /// The series on `metrics`: fed by the executor's hooks, ingest, and (through `MetricsService`) the events;
    /// the state gauges are refreshed at each scrape.
    public let killSwitchMetrics: KillSwitchMetrics
    /// Where `[metrics] listen` ended up listening, once it does.
    public let metricsEndpoint = MetricsEndpoint()
    /// The metrics service's subscription, taken at init so no event published before it runs is missed.
    let metricsEvents: AsyncStream<DaemonEvent>
    /// Trips, incident ends, re-arms and failed armed checks, for notifications and metrics.
    public let events = DaemonEventBus()
    /// For the daemon's own calls (webhooks); each venue account has its own in `venueHTTPClients`.
    let httpClient: HTTPClient
    let venueHTTPClients: [HTTPClient]
    let logger: Logger

    public struct Options: Sendable {
        /// Exit once no incident is running (resume-and-finish runs, tests).
        public var exitWhenIdle: Bool
        public var environment: [String: String]
        /// Which build runs, for `killswitch_build_info` (the CLI passes what it embedded).
        public var build: BuildIdentity
        /// The wall clock PnL marks are judged by: how far ahead a mark may be, which trading day it is, what a
        /// restart replays, how old stored heartbeats are (tests fix it; deadlines run on the monotonic clock).
        public var wallClock: WallClock
        /// Replaces published rate-limit figures per pool (`"<kind>/<pool>"`, see `VenueRateLimits`): tests and
        /// benchmarks that need a venue slower than it is. Empty in production.
        public var rateLimitOverrides: [String: BucketLimit]

        public init(exitWhenIdle: Bool = false, environment: [String: String] = ProcessInfo.processInfo.environment, build: BuildIdentity = .unknown,
                    wallClock: WallClock = .system, rateLimitOverrides: [String: BucketLimit] = [:]) {
            self.rateLimitOverrides = rateLimitOverrides
            self.exitWhenIdle = exitWhenIdle
            self.environment = environment
            self.build = build
            self.wallClock = wallClock
        }
    }

    public let options: Options

    public init(configuration given: KillSwitchConfiguration, credentials: [String: VenueCredentials], options: Options = Options(),
                clock: ContinuousClock = ContinuousClock(), logger: Logger) async throws {
        // Venue accounts identified (uids) and checked once more: two entries on one account would cancel
        // each other's orders.
        var configuration = given
        try ConfigLoader.resolveAccounts(&configuration, credentials: credentials)
        configuration = CountdownPlan.withLossRules(configuration)
        self.configuration = configuration
        self.options = options
        self.logger = logger
        let store = try Store(options: StoreOptions(configuration), venues: configuration.venueDescriptors, logger: logger)
        // Test-only, like the crash points: `KILLSWITCH_TEST_STORE_FAULTS=<write>` makes those database writes fail
        // as a full disk would ("" or "all": every write). Never set it in production.
        if let faults = options.environment["KILLSWITCH_TEST_STORE_FAULTS"] { store.faults.failWrites(of: faults == "all" ? "" : faults) }
        // What a previous process journaled while its database could not write goes in first (a crash with a
        // non-empty journal): resume then sees those intents, and verifies before re-sending anything.
        await store.mergeJournal()
        self.store = store
        let killSwitchMetrics = KillSwitchMetrics(registry: metrics, orderCounts: store.orderStatusCounts,
                                                  venues: configuration.venueDescriptors.map(\.id), rules: configuration.rules.map(\.id), build: options.build,
                                                  shadow: configuration.engine.mode == .shadow)
        self.killSwitchMetrics = killSwitchMetrics
        self.metricsEvents = events.subscribe()
        let httpClient = VenueClients.makeSharedHTTPClient()
        self.httpClient = httpClient
        let limits = VenueRateLimits(clock: clock, safetyMargin: configuration.engine.safetyMargin, jitterAllowance: configuration.engine.rateLimitJitter,
                                     overrides: options.rateLimitOverrides)
        var clients: [String: any VenueClient] = [:]
        var venueHTTPClients: [HTTPClient] = []
        var countdownClients: [String: any VenueClient] = [:]
        do {
            for venue in configuration.venues {
                // A disabled venue gets no client; an enabled one always has credentials (the loader refuses
                // the config otherwise), and a trip covering a venue without a client ends `incomplete`.
                guard venue.descriptor.enabled, let secret = credentials[venue.descriptor.id] else { continue }
                let venueHTTPClient = VenueClients.makeSharedHTTPClient()
                venueHTTPClients.append(venueHTTPClient)
                limits.register(venue.descriptor)
                var clientConfiguration = VenueClientConfiguration()
                clientConfiguration.requestTimeoutMilliseconds = venue.requestTimeout.nanoseconds / 1_000_000
                clients[venue.descriptor.id] = try VenueClients.make(descriptor: venue.descriptor, credentials: secret, httpClient: venueHTTPClient,
                                                                      configuration: clientConfiguration, admission: limits, logger: logger)
            }
            for group in CountdownPlan.groups(configuration) {
                guard let id = group.armingVenueId, let venue = configuration.venues.first(where: { $0.descriptor.id == id }),
                      let secret = credentials[id], let main = clients[id] as? HTTPVenueClient else { continue }
                let countdownHTTPClient = VenueClients.makeSharedHTTPClient(connectionsPerHost: 4)
                venueHTTPClients.append(countdownHTTPClient)
                countdownClients[group.key] = try VenueClients.make(descriptor: venue.descriptor, credentials: secret, httpClient: countdownHTTPClient,
                                                                    configuration: main.configuration, clock: main.clock, admission: limits, logger: logger)
            }
        } catch {
            // An HTTPClient must be shut down before it is released.
            for client in venueHTTPClients + [httpClient] { try? await client.shutdown() }
            throw error
        }
        self.clients = clients
        self.countdownClients = countdownClients
        self.countdowns = CountdownBoard(configuration: configuration)
        self.venueHTTPClients = venueHTTPClients
        self.limits = limits
        let engine = try await TripEngine(store: store, clients: clients, limits: limits, clock: clock, settings: configuration.engine,
                                          venues: configuration.venueDescriptors, logger: logger, events: events, metrics: killSwitchMetrics,
                                          environment: options.environment)
        self.engine = engine
        await engine.attachToStore()
        // Storage failing (or writing again) is news: logged by the store, published here for the webhooks.
        let events = self.events
        store.health.observe { snapshot in
            events.publish(.storage(ok: snapshot.ok, detail: snapshot.ok ? "the database writes again" : snapshot.lastError ?? "write failed"))
        }
        // Tripping never fails: the engine latches in memory when the store cannot write.
        self.rules = RuleEngine(rules: configuration.rules, tradingDay: configuration.tradingDay, clock: clock, wallClock: options.wallClock, logger: logger) { scope, reason, ruleId in
            await engine.trip(scope: scope, reason: reason, actor: nil, ruleId: ruleId)
        }
        var latchedRules: [RuleEngine<ContinuousClock>.Latch: Int64] = [:]
        for incident in await engine.latchedIncidents {
            if let rule = incident.ruleId { latchedRules[.init(ruleId: rule, scope: incident.scope)] = incident.id }
        }
        // After a crash the stored heartbeats count (no fresh grace); after a clean stop every source gets its grace.
        var heartbeatAges: [String: Duration]?
        let wallNow = options.wallClock.now()
        if try await store.previousRunCrashed() {
            heartbeatAges = try await store.lastHeartbeats().mapValues { .milliseconds(max(0, wallNow - $0)) }
            logger.warning("the previous daemon on this database stopped without a clean shutdown: heartbeat rules run from the stored last heartbeats, without grace")
        }
        // The trading day's PnL marks (a restart keeps the day's latest marks and peak), and how old each venue's
        // newest mark is (its `pnl:` feed). Marks dated beyond the accepted skew are left out.
        let through = wallNow + configuration.pnl.markSkew.nanoseconds / 1_000_000
        let dayStart = configuration.tradingDay.start(ofDayContaining: Date(timeIntervalSince1970: Double(wallNow) / 1000))
        let pnlMarks = try await store.pnlMarks(from: Int64((dayStart.timeIntervalSince1970 * 1000).rounded()), through: through)
        let pnlFeedAges = try await store.newestPnLMarkTimes(through: through).mapValues { Duration.milliseconds(max(0, wallNow - $0)) }
        try await store.appendAudit(kind: "daemon-start", incidentId: nil, actor: nil,
                                    detail: ["pid": "\(getpid())", "mode": configuration.engine.mode.rawValue])
        if configuration.engine.mode == .shadow {
            logger.warning("SHADOW MODE — UNPROTECTED: trips are planned and recorded, nothing is cancelled ([engine] mode = \"shadow\")")
            let countdowns = configuration.venues.filter { $0.dms != nil }.map(\.descriptor.id)
            if !countdowns.isEmpty {
                // Shadow mode arms and refreshes none; it does not disarm one either.
                logger.warning("shadow mode refreshes no venue countdown: one a previous live run left armed (on_stop = \"leave\") still fires at its trigger time, and the venue cancels what it reaches", metadata: [
                    "venues": "\(countdowns.joined(separator: ", "))",
                ])
            }
        }
        await rules.start(latched: latchedRules, heartbeatAges: heartbeatAges, pnlMarks: pnlMarks, pnlFeedAges: pnlFeedAges)
    }

    /// Runs the daemon's services until SIGTERM/SIGINT (or, with `exitWhenIdle`, until no incident runs).
    public func run() async throws {
        let group = ServiceGroup(configuration: .init(
            services: services(),
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        do {
            try await group.run()
        } catch {
            // The HTTP clients are shut down whatever ended the group (an HTTP client must never deinit running).
            try? await shutdown()
            throw error
        }
        try await shutdown()
    }

    /// The daemon's services, in start order (shut down in reverse).
    func services() -> [ServiceGroupConfiguration.ServiceConfiguration] {
        // systemd hears READY=1 once the control socket listens (see ServiceManagerService). Background services
        // that may end on their own stay in the group until its shutdown (`StaysUntilShutdown`).
        let controlListening = ReadinessSignal()
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: EngineService(daemon: self), successTerminationBehavior: .gracefullyShutdownGroup),
            // Shut down just before the engine: the countdowns are disarmed (or left) with everything else stopped.
            // Ends at once without countdowns: that must not stop the daemon.
            .init(service: StaysUntilShutdown(CountdownService(daemon: self))),
            // Metrics must never stop the daemon: if their loop ever ends, the rest carries on.
            .init(service: StaysUntilShutdown(MetricsService(metrics: killSwitchMetrics, events: metricsEvents))),
            // Background services may end early (no venues, no webhooks): that must not stop the daemon.
            .init(service: StaysUntilShutdown(VenueMaintenanceService(daemon: self))),
            .init(service: StaysUntilShutdown(LatchedSweepService(daemon: self))),
            .init(service: StaysUntilShutdown(JournalMergeService(store: store, logger: logger))),
            .init(service: StaysUntilShutdown(CheckpointService(store: store, logger: logger))),
            .init(service: StaysUntilShutdown(NotifierService(daemon: self))),
            .init(service: StaysUntilShutdown(SignalService(daemon: self))),
            .init(service: ControlServer(daemon: self) { listener in
                if case .unixSocket = listener { controlListening.fulfil() }
            }),
            // Ends at once when systemd did not ask to be notified: that must not stop the daemon.
            .init(service: StaysUntilShutdown(ServiceManagerService(daemon: self, ready: controlListening))),
        ]
        if let address = configuration.metrics.listen {
            // Read-only and never fatal (see MetricsListener): ending early must not stop the daemon.
            services.append(.init(service: StaysUntilShutdown(MetricsListener(daemon: self, address: address))))
        }
        return services
    }

    /// Releases the HTTP connections (after `run`, or when the daemon was only used in-process), and records
    /// the clean stop (the next start gives heartbeat sources their grace again).
    public func shutdown() async throws {
        await rules.stop()
        do {
            try await store.appendAudit(kind: "daemon-stop", incidentId: nil, actor: nil, detail: ["pid": "\(getpid())"])
        } catch {
            logger.error("could not record the clean stop", metadata: ["error": "\(error)"])
        }
        for client in venueHTTPClients { try await client.shutdown() }
        try await httpClient.shutdown()
    }
}

extension StoreOptions {
    public init(_ configuration: KillSwitchConfiguration) {
        let synchronous = Synchronous(rawValue: configuration.store.synchronous.uppercased()) ?? .normal
        self.init(path: configuration.database, synchronous: synchronous, busyTimeoutMilliseconds: Int(configuration.store.busyTimeout.nanoseconds / 1_000_000),
                  journalPath: configuration.store.journal ?? configuration.database + ".journal", journalSize: configuration.store.journalSize)
    }
}
