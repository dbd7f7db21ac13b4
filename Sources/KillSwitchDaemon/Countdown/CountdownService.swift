import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchStore
import Logging
import ServiceLifecycle

/// The venues as the last line: arms each venue's countdown cancel-all (`[[venues]] dms`) at start,
/// refreshes it every `refresh` while the daemon can act, and on a clean stop disarms it or leaves it armed
/// (`on_stop`). If the host dies, loses its network or the engine wedges, the refreshes stop and each venue
/// cancels what its countdown reaches. One `CountdownRunner` per countdown (`CountdownPlan.groups`).
///
/// Failed refreshes are logged at critical, published (`dms-failed` webhooks) and fed to the `dms-lost` rules;
/// arms, refreshes and disarms are audited with the venue's trigger time. None of it waits on the store.
public struct CountdownService: Service {
    let runners: [CountdownRunner<ContinuousClock>]
    let board: CountdownBoard
    let audit: CountdownAuditLog
    let store: Store
    let logger: Logger
    /// Each runner's results, in order, for the rule engine (which may be the wedged part).
    let reports: [(AsyncStream<(Bool, String?)>, @Sendable (Bool, String?) async -> Void)]

    /// How long a clean stop waits for the audit records to be written.
    static let auditFlushDeadline: Duration = .seconds(5)

    public init(daemon: Daemon, clock: ContinuousClock = ContinuousClock(), releaseAfter: Duration = .seconds(300)) {
        let configuration = daemon.configuration
        let audit = CountdownAuditLog()
        let probe = BoundedProbe(clock: clock, probe: livenessProbe(daemon))
        let ledger = CountdownLedger()
        var runners: [CountdownRunner<ContinuousClock>] = []
        var reports: [(AsyncStream<(Bool, String?)>, @Sendable (Bool, String?) async -> Void)] = []
        let groups = CountdownPlan.armsNothing(configuration) == nil ? CountdownPlan.groups(configuration) : []
        for group in groups {
            guard let venueId = group.armingVenueId, let client = daemon.countdownClients[group.key] ?? daemon.clients[venueId] else { continue }
            let (stream, sink) = AsyncStream<(Bool, String?)>.makeStream(bufferingPolicy: .bufferingNewest(256))
            let rules = daemon.rules
            let venueIds = group.venueIds
            reports.append((stream, { ok, detail in await rules.countdownRefreshed(venues: venueIds, succeeded: ok, detail: detail) }))
            let store = daemon.store
            let limits = daemon.limits
            let environment = CountdownRunner<ContinuousClock>.Environment(
                send: { symbol, timeout in
                    await RequestContext.$current.withValue(.refresh) { await client.countdownCancelAll(symbol: symbol, timeoutSeconds: timeout) }
                },
                probe: probe,
                openCounts: {
                    var counts: [String: Int] = [:]
                    for id in venueIds { counts.merge(try await store.openOrderCounts(venueId: id), uniquingKeysWith: +) }
                    return counts
                },
                reportToRules: { ok, detail in sink.yield((ok, detail)) },
                reserve: { targets, force in Self.reserve(group: group, venueId: venueId, targets: targets, force: force, limits: limits, ledger: ledger) },
                audit: audit, board: daemon.countdowns, events: daemon.events, wallNow: { WallClock.system.now() }, logger: daemon.logger
            )
            runners.append(CountdownRunner(group: group, environment: environment, clock: clock, releaseAfter: releaseAfter))
        }
        self.runners = runners
        self.reports = reports
        self.board = daemon.countdowns
        self.audit = audit
        self.store = daemon.store
        self.logger = daemon.logger
    }

    /// Whether `targets` refreshes of `group` fit its budget (`force`: reserve them anyway); if so, reserves their
    /// slice of the pool.
    static func reserve(group: CountdownGroup, venueId: String, targets: Int, force: Bool = false, limits: VenueRateLimits, ledger: CountdownLedger) -> Bool {
        guard let rule = CountdownBudget.rule(kind: group.kind), let pool = limits.buckets(venueId: venueId)[rule.pool] else { return true }
        // The pool's live figures (Binance's REQUEST_WEIGHT as `exchangeInfo` last said).
        let budget = CountdownBudget.budgetPerMinute(kind: group.kind, limit: BucketLimit(capacity: pool.capacity, window: pool.window))
        let cost = CountdownBudget.costPerMinute(kind: group.kind, refresh: group.settings.refresh, targets: targets)
        guard ledger.admit(pool: pool.name, holder: group.key, cost: cost, budget: budget, force: force) else { return false }
        let reserve = CountdownBudget.reservePerWindow(kind: group.kind, refresh: group.settings.refresh, targets: targets, span: pool.spacingWindow)
        limits.setRefreshReservation(holder: group.key, venueId: venueId, cost: reserve)
        return true
    }

    /// Runs until the group's graceful shutdown (or cancellation), then disarms or leaves each countdown.
    public func run() async {
        guard !runners.isEmpty else { return }
        // Unstructured on purpose: a wedged rule engine or store must not keep the group from stopping.
        let reporters = reports.map { stream, deliver in Task { for await (ok, detail) in stream { await deliver(ok, detail) } } }
        let writer = Task { [audit, store, logger] in await audit.drain(into: store, logger: logger) }
        let byVenue = Dictionary(runners.flatMap { runner in runner.group.venueIds.map { ($0, runner) } }, uniquingKeysWith: { a, _ in a })
        let sightings = board.sightings
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for runner in runners {
                    group.addTask { await runner.run() }
                    group.addTask { await runner.pollOpenOrders() }
                }
                group.addTask {
                    for await sighting in sightings { await byVenue[sighting.venue]?.saw(sighting.symbol) }
                }
            }
        }
        // A clean stop (the group's graceful shutdown): disarm or leave, each countdown at once — in a task of its
        // own, so that a cancelled run still sends its disarms.
        let stopping = runners
        await Task {
            await withDiscardingTaskGroup { group in
                for runner in stopping { group.addTask { await runner.stop() } }
            }
        }.value
        audit.finish()
        if !(await BoundedProbe.finishes(writer, within: Self.auditFlushDeadline, clock: ContinuousClock())) {
            logger.error("countdown audit records not all written at stop (the store did not take them in time)")
        }
        for reporter in reporters { reporter.cancel() }
    }
}
