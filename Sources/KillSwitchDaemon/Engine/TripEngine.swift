import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchStore
import Logging

/// Latches trips into incidents and runs each incident's cancel fan-out; answers the pre-trade gate; cancels
/// on sight any order learned inside a tripped scope; resumes incidents a crash left running.
public actor TripEngine {
    let store: Store
    let clients: [String: any VenueClient]
    let limits: VenueRateLimits
    let clock: any Clock<Duration>
    let settings: EngineSettings
    let venues: [VenueDescriptor]
    let logger: Logger
    let crashPoint: CrashPoint
    let events: DaemonEventBus
    let metrics: KillSwitchMetrics?
    private var executors: [Int64: (executor: IncidentExecutor, task: Task<IncidentStateMachine.Outcome, Never>, progress: IncidentProgress)] = [:]
    private var latched: [Int64: IncidentRecord] = [:]

    public init(store: Store, clients: [String: any VenueClient], limits: VenueRateLimits, clock: any Clock<Duration>,
                settings: EngineSettings, venues: [VenueDescriptor], logger: Logger, events: DaemonEventBus = DaemonEventBus(), metrics: KillSwitchMetrics? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) async throws {
        self.events = events
        self.metrics = metrics
        self.store = store
        self.clients = clients
        self.limits = limits
        self.clock = clock
        self.settings = settings
        self.venues = venues
        self.logger = logger
        self.crashPoint = CrashPoint(environment: environment)
        for incident in try await store.latchedIncidents() { latched[incident.id] = incident }
    }

    /// The answer for cooperating bots: blocked inside any latched scope.
    public struct GateAnswer: Sendable, Hashable, Codable {
        public var allowed: Bool
        public var incident: Int64?
        public var reason: String?
    }

    public func gate(venue: String, account: String, symbol: String) -> GateAnswer {
        for incident in latched.values.sorted(by: { $0.id < $1.id }) where incident.scope.contains(venue: venue, account: account, symbol: symbol) {
            return GateAnswer(allowed: false, incident: incident.id, reason: incident.reason)
        }
        return GateAnswer(allowed: true, incident: nil, reason: nil)
    }

    public var latchedIncidents: [IncidentRecord] { latched.values.sorted { $0.id < $1.id } }

    /// The incident was re-armed: its scope is no longer tripped.
    public func unlatch(_ incidentId: Int64) {
        latched.removeValue(forKey: incidentId)
    }

    public func progress(of incidentId: Int64) -> IncidentProgress? { executors[incidentId]?.progress }

    /// Whether an incident whose scope reaches `venueId` is still fanning out (background traffic to that
    /// venue stands aside until it ends).
    public func isIncidentRunning(onVenue venueId: String) -> Bool {
        guard let venue = venues.first(where: { $0.id == venueId }) else { return false }
        return executors.contains { element in
            let scope = element.value.executor.incident.scope
            return !finishedIncidents.contains(element.key) && (scope.venue == nil || scope.venue == venueId)
                && (scope.account == nil || scope.account == venue.account)
        }
    }

    /// Trips `scope`: records the incident (latched, durable) and starts cancelling everything in it.
    @discardableResult
    public func trip(scope: Scope, reason: String, actor: AuditActor?, ruleId: String? = nil) async throws -> Int64 {
        let incident = try await store.createIncident(scope: scope, ruleId: ruleId, actor: actor, reason: reason, deadlineAt: freshDeadline())
        latched[incident.id] = incident
        logger.critical("TRIPPED", metadata: ["incident": "\(incident.id)", "scope": "\(scope)", "reason": "\(reason)", "by": "\(actor?.description ?? ruleId ?? "-")"])
        try await start(incident, resume: nil, announce: true)
        return incident.id
    }

    /// Finishes every incident a previous process left running.
    @discardableResult
    public func resumeRunningIncidents() async throws -> [Int64] {
        var resumed: [Int64] = []
        for incident in try await store.runningIncidents() where executors[incident.id] == nil {
            let state = try await store.resumeState(incidentId: incident.id)
            logger.warning("resuming incident", metadata: ["incident": "\(incident.id)", "unanswered": "\(state.unanswered.count)"])
            try await store.appendAudit(kind: "resume", incidentId: incident.id, actor: nil, detail: [
                "unanswered": "\(state.unanswered.count)", "terminal": "\(state.terminal.count)",
            ])
            latched[incident.id] = incident
            try await start(incident, resume: state)
            resumed.append(incident.id)
        }
        return resumed
    }

    public enum RetryError: Error, CustomStringConvertible, Equatable {
        case unknownIncident(Int64)
        case stillRunning(Int64)
        case notLatched(Int64)

        public var description: String {
            switch self {
            case .unknownIncident(let id): "no incident \(id)"
            case .stillRunning(let id): "incident \(id) is still running; retry it once it has ended"
            case .notLatched(let id): "incident \(id) was re-armed; trip the scope again instead"
            }
        }
    }

    /// An operator's retry of an ended, still-latched incident: a fresh fan-out under a fresh deadline over
    /// every order still open in its scope — orders a venue rejected included, since a retry usually follows
    /// a human fixing what the rejection was about. Recorded under the same incident.
    public func retry(incidentId: Int64, actor: AuditActor?) async throws {
        // Claimed before the first suspension, so a second retry arriving meanwhile is refused, not doubled.
        if starting.contains(incidentId) || (executors[incidentId] != nil && !finishedIncidents.contains(incidentId)) {
            throw RetryError.stillRunning(incidentId)
        }
        starting.insert(incidentId)
        do {
            guard let record = try await store.incident(id: incidentId) else { throw RetryError.unknownIncident(incidentId) }
            guard record.isLatched else { throw RetryError.notLatched(incidentId) }
            guard let reopened = try await store.reopenIncident(id: incidentId, auditKind: "incident-retry", actor: actor, detail: [:],
                                                                deadlineAt: freshDeadline()) else {
                throw RetryError.unknownIncident(incidentId)
            }
            latched[incidentId] = reopened
            logger.warning("incident retried", metadata: ["incident": "\(incidentId)", "by": "\(actor?.description ?? "-")"])
            try await start(reopened, resume: nil)
        } catch {
            releaseStart(incidentId)
            throw error
        }
    }

    /// Waits for an incident's fan-out to end. An incident already latched whose fan-out is still being set
    /// up (its orders loading) is waited for too, so a caller that saw the trip never gets nil by racing it.
    public func waitForIncident(_ id: Int64) async -> IncidentStateMachine.Outcome? {
        if executors[id] == nil, starting.contains(id) {
            await withCheckedContinuation { startWaiters[id, default: []].append($0) }
        }
        guard let task = executors[id]?.task else { return nil }
        return await task.value
    }

    /// Orders learned (from events or reconciliation) inside a latched scope are cancelled on sight.
    public func learned(_ orders: [StoredOrder]) async {
        for order in orders where order.status.isOpen {
            guard let incident = latched.values.sorted(by: { $0.id < $1.id }).first(where: { $0.scope.contains(venue: order.venueId, account: order.account, symbol: order.symbol) }),
                  let venue = venues.first(where: { $0.id == order.venueId })
            else { continue }
            let planned = PlannedOrder(target: order.cancelTarget, notional: Self.notionalEstimate(order, venue: venue))
            // A fan-out being set up (by a retry, or an earlier order of this loop) takes the order once it runs.
            if starting.contains(incident.id) { await withCheckedContinuation { startWaiters[incident.id, default: []].append($0) } }
            if let running = executors[incident.id], await running.executor.cancelOnSight(venueId: order.venueId, order: planned) {
                continue
            }
            // The incident had finished: run a fresh fan-out for it (recorded under the same incident), claimed
            // before the first suspension so a concurrent `learned` cannot start a second one.
            starting.insert(incident.id)
            let reopened = try? await store.reopenIncident(id: incident.id, auditKind: "incident-reopen", actor: nil,
                                                           detail: ["reason": "order \(order.id) learned inside the tripped scope"],
                                                           deadlineAt: freshDeadline())
            let record = (reopened ?? nil) ?? incident
            latched[incident.id] = record
            do { try await start(record, resume: nil) } catch { releaseStart(incident.id) }
        }
    }

    private var finishedIncidents: Set<Int64> = []
    /// Incidents whose fan-out is being set up, and who waits for it.
    private var starting: Set<Int64> = []
    private var startWaiters: [Int64: [CheckedContinuation<Void, Never>]] = [:]

    /// When a fan-out starting now must give up (wall-clock ms, as stored).
    private func freshDeadline() -> Int64 { WallClock.system.now() + settings.incidentDeadline.nanoseconds / 1_000_000 }

    /// The incident's fan-out is set up (or failed to be): wake whoever waited for it.
    private func releaseStart(_ id: Int64) {
        starting.remove(id)
        for waiter in startWaiters.removeValue(forKey: id) ?? [] { waiter.resume() }
    }

    /// Whether this process ran the incident's fan-out and it has ended.
    public func isFinished(_ id: Int64) -> Bool { finishedIncidents.contains(id) }

    /// `announce`: publish `.tripped` once the fan-out is registered (so a listener finds its progress) and
    /// before its end can be published (an incident with nothing to do ends at once) — webhooks must never
    /// hear of an end before its trip.
    private func start(_ incident: IncidentRecord, resume: IncidentResumeState?, announce: Bool = false) async throws {
        starting.insert(incident.id)
        defer { releaseStart(incident.id) }
        let inScope = venues.filter { incident.scope.venue == nil || incident.scope.venue == $0.id }
            .filter { incident.scope.account == nil || incident.scope.account == $0.account }
        let open = try await store.orders(OrderFilter(scope: incident.scope, openOnly: true))
        var machines: [VenueCancelStateMachine] = []
        for venue in inScope where clients[venue.id] != nil {
            let orders = open.filter { $0.venueId == venue.id }.map { PlannedOrder(target: $0.cancelTarget, notional: Self.notionalEstimate($0, venue: venue)) }
            let rejected = Set((resume?.terminal ?? [:]).filter { $0.value == .rejected }.keys)
            machines.append(VenueCancelStateMachine(
                venueId: venue.id, kind: venue.kind, symbolScope: incident.scope.symbol, escalateAfter: settings.escalateAfter, orders: orders,
                previousAttempts: resume?.attempts ?? [:], mustVerify: resume?.unanswered ?? [], rejected: rejected
            ))
        }
        let progress = IncidentProgress()
        let executor = IncidentExecutor(
            incident: incident, machine: IncidentStateMachine(incidentId: incident.id, venues: machines), store: store, clients: clients, limits: limits,
            clock: clock, policy: RetryPolicy(initial: settings.retryInitial, maximum: settings.retryMax), progress: progress, crashPoint: crashPoint,
            metrics: metrics, logger: logger
        )
        limits.setReserveForIncidents(true)
        finishedIncidents.remove(incident.id)
        let task = Task { await executor.run() }
        executors[incident.id] = (executor, task, progress)
        if announce { events.publish(.tripped(incident)) }
        Task { [weak self, clock, events] in
            var outcome = IncidentStateMachine.Outcome?.none
            let elapsed = await clock.measure { outcome = await task.value }
            guard let outcome else { return }
            events.publish(.incidentEnded(incident, outcome: outcome, durationNanoseconds: elapsed.nanoseconds))
            await self?.incidentEnded(incident.id)
        }
    }

    private func incidentEnded(_ id: Int64) {
        finishedIncidents.insert(id)
        if executors.keys.allSatisfy({ finishedIncidents.contains($0) }) {
            limits.setReserveForIncidents(false)
        }
    }

    /// Open notional as an ordering key (largest first).
    static func notionalEstimate(_ order: StoredOrder, venue: VenueDescriptor) -> Double {
        Notional.estimate(price: order.price, quantity: order.quantity, filled: order.filledQuantity, contract: venue.contracts[order.symbol])
    }

    static func notional(_ order: StoredOrder, venue: VenueDescriptor) -> Decimal {
        guard let remaining = order.remainingQuantity else { return 0 }
        let price = order.price.flatMap(DecimalAmount.init) ?? .zero
        return Notional.of(price: price, quantity: remaining, contract: venue.contracts[order.symbol]).decimal
    }
}

