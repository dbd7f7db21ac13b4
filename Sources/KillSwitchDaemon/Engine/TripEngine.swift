import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchStore
import Logging

/// Latches trips into incidents and runs each incident's cancel fan-out; answers the pre-trade gate; cancels
/// on sight any order learned inside a tripped scope; resumes incidents a crash left running.
///
/// A latched scope is never abandoned: a fan-out that ends `incomplete` (at its deadline, or because a venue
/// could not be listed) is alerted loudly once and then tried again with capped backoff until `flat` or
/// re-armed; a `flat` latched scope is re-listed by the latched sweep and anything open in it cancelled on
/// sight. Each incident's state in this process is one `IncidentRun`.
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
    /// Decides each fan-out's setup without I/O (a trip decides it inside the transaction that opens the incident).
    let planner: FanOutPlanner
    /// Every incident this process knows to be latched (its scope tripped): the gate's answer.
    private var latched: [Int64: IncidentRecord] = [:]
    /// Each incident's cancelling, one explicit state.
    private var runs: [Int64: IncidentRun] = [:]
    /// Ended incidents whose summary is kept, oldest first (bounded: `endedKept`).
    private var endedOrder: [Int64] = []
    static let endedKept = 64
    /// Ids for trips latched while the store cannot write (negative, so never a stored id).
    private var nextProvisionalId: Int64 = -1

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
        self.planner = FanOutPlanner(venues: venues, settings: settings, workable: Set(clients.keys), limits: limits)
        for incident in try await store.latchedIncidents() { latched[incident.id] = incident }
    }

    // MARK: Gate and status

    /// The answer for cooperating bots: blocked inside any latched scope. In shadow mode nothing is blocked:
    /// `allowed` with `wouldBlock` naming what a live daemon would have done.
    public struct GateAnswer: Sendable, Hashable, Codable {
        public var allowed: Bool
        public var incident: Int64?
        public var reason: String?
        public var wouldBlock: Bool?
    }

    public func gate(venue: String, account: String, symbol: String) -> GateAnswer {
        for incident in latched.values.sorted(by: { $0.id < $1.id }) where incident.scope.contains(venue: venue, account: account, symbol: symbol) {
            if shadow { return GateAnswer(allowed: true, incident: incident.id, reason: incident.reason, wouldBlock: true) }
            return GateAnswer(allowed: false, incident: incident.id, reason: incident.reason)
        }
        return GateAnswer(allowed: true, incident: nil, reason: nil)
    }

    /// Shadow mode: nothing that cancels leaves.
    public nonisolated var shadow: Bool { settings.mode == .shadow }

    public var latchedIncidents: [IncidentRecord] { latched.values.sorted { $0.id < $1.id } }

    /// Where an incident's cancelling stands in this process, for status.
    public enum RunState: String, Sendable, Hashable, Codable {
        case starting, running, keepTrying = "keep-trying", ended
    }

    public func runState(of incidentId: Int64) -> RunState? {
        switch runs[resolve(incidentId)] {
        case .starting?: .starting
        case .running?: .running
        case .keepTrying?: .keepTrying
        case .ended?: .ended
        case nil: nil
        }
    }

    /// Incidents whose state this process keeps (running, being retried, or a bounded number of ended ones).
    public var trackedIncidents: Int { runs.count }

    /// One incident as status shows it, from state kept current here — no store read per incident, so status
    /// answers at once however large the running incident.
    public struct IncidentSnapshot: Sendable {
        public var record: IncidentRecord
        public var run: RunState?
        public var nextAttemptAt: Int64?
        public var progress: IncidentProgress?
    }

    /// Every latched incident, and any fan-out still running for one re-armed meanwhile.
    public func statusSnapshot() -> [IncidentSnapshot] {
        let records = Array(latched.values) + runningRecords.values.filter { latched[$0.id] == nil }
        return records.sorted { $0.id < $1.id }.map { record in
            IncidentSnapshot(record: record, run: runState(of: record.id), nextAttemptAt: nextAttemptAt(of: record.id), progress: progress(of: record.id))
        }
    }

    /// When the next keep-trying attempt starts (wall-clock ms), if one is scheduled.
    public func nextAttemptAt(of incidentId: Int64) -> Int64? {
        if case .keepTrying(let state)? = runs[resolve(incidentId)] { return state.nextAt }
        return nil
    }

    public func progress(of incidentId: Int64) -> IncidentProgress? {
        switch runs[resolve(incidentId)] {
        case .running(let fanOut)?: fanOut.progress
        case .keepTrying(let state)?: state.progress
        case .ended(let ended)?: ended.progress
        case .starting?, nil: nil
        }
    }

    /// Whether a fan-out whose scope reaches `venueId` is running (background traffic to that venue stands
    /// aside until it ends).
    public func isIncidentRunning(onVenue venueId: String) -> Bool {
        guard let venue = venues.first(where: { $0.id == venueId }) else { return false }
        return runs.contains { id, run in
            guard case .running = run, let incident = latched[id] ?? runningRecords[id] else { return false }
            return TripScope(incident.scope).covers(venue)
        }
    }

    /// Whether this process ran the incident's fan-out and it has ended (keep trying counts as ended: the
    /// fan-out that was asked for is over).
    public func isFinished(_ id: Int64) -> Bool {
        switch runs[resolve(id)] {
        case .keepTrying?, .ended?: true
        case .starting?, .running?, nil: false
        }
    }

    /// Incidents whose running fan-out ended just as orders were found in their scope.
    private var foundDuringEnd: Set<Int64> = []

    /// Records of fan-outs running for incidents that are no longer latched (re-armed mid-fan-out, until their
    /// stop is processed).
    private var runningRecords: [Int64: IncidentRecord] = [:]

    /// Per incident, the venue entries whose keep rules are void for it (kept notional over the cap), as its
    /// last fan-out found them. The latched sweep and cancel-on-sight use the same scope as the fan-out.
    private var keepVoided: [Int64: Set<String>] = [:]

    /// The incident's scope as every listing loop and wholesale cancel must see it (`TripScope`).
    func tripScope(_ incident: IncidentRecord) -> TripScope {
        TripScope(incident.scope, keepVoided: keepVoided[incident.id] ?? [])
    }

    /// The audit lists what keep rules protected (or, over their cap, no longer protect), per entry.
    /// - Parameter voidedEarlier: entries whose keep an earlier fan-out found void: their orders are not kept now.
    private func recordKept(_ kept: KeptOrders, incidentId: Int64, voidedEarlier: Set<String> = []) async {
        for entry in kept.entries where !entry.orders.isEmpty && (entry.overCap || !voidedEarlier.contains(entry.venueId)) {
            if entry.overCap {
                logger.critical("kept notional above max_kept_notional: the keep is void and those orders are cancelled", metadata: [
                    "incident": "\(incidentId)", "venue": "\(entry.venueId)", "notional": "\(DecimalAmount(entry.notional))", "cap": "\(entry.cap)",
                ])
            }
            guard incidentId > 0 else { continue }
            do {
                try await store.appendAudit(kind: entry.overCap ? "keep-void" : "kept", incidentId: incidentId, actor: nil, detail: kept.auditDetail(entry))
            } catch {
                logger.error("could not record kept orders", metadata: ["incident": "\(incidentId)", "error": "\(error)"])
            }
        }
    }

    // MARK: Tripping

    /// Trips `scope`: latches it and starts cancelling everything in it. Tripping is always allowed and never
    /// fails: when the database cannot write, the store journals the incident under a provisional (negative)
    /// id and the fan-out starts at once all the same — the gate answers "blocked", cancels go out, and the
    /// incident takes its real id when the journal is merged (`incidentStored`).
    @discardableResult
    public func trip(scope: Scope, reason: String, actor: AuditActor?, ruleId: String? = nil) async -> Int64 {
        let incident: IncidentRecord
        var opening: FanOutOpening?
        do {
            // One commit for the incident, its `trip` event and the first batch cancels' intents, decided from the
            // scope's open orders read in the same transaction: the deadline-to-first-cancel path.
            let planner = self.planner, shadow = self.shadow
            let opened = try await store.createIncident(scope: scope, ruleId: ruleId, actor: actor, reason: reason, deadlineAt: freshDeadline(),
                                                        readingOpen: OrderFilter(scope: scope, openOnly: true)) { incident, open in
                // Shadow mode lists and plans on its own, and records nothing as if sent.
                shadow ? (nil, []) : planner.opening(incident, open: open ?? [])
            }
            incident = opened.incident
            if opened.open == nil {
                // The orders could not be read (so nothing was planned): the fan-out reads them again, and its
                // listings find what it still cannot.
                opening = nil
            } else if let ids = opened.intentIds, var started = opened.plan {
                started.recorded = started.recordedRequests(ids)
                for _ in ids.joined() { crashPoint.intentCommitted() }
                opening = started
            } else {
                opening = opened.plan
            }
        } catch {
            // Not a storage failure (the store journals those): still latch and cancel, from memory.
            logger.critical("the incident could not be recorded; tripping from memory", metadata: ["error": "\(error)"])
            incident = IncidentRecord(id: nextProvisionalId, scope: scope, ruleId: ruleId, actor: actor?.name, reason: reason, state: .running,
                                      trippedAt: WallClock.system.now(), deadlineAt: freshDeadline(), endedAt: nil, summary: nil, rearmedAt: nil,
                                      rearmedBy: nil, rearmReason: nil, rearmForced: false)
            nextProvisionalId -= 1
        }
        latched[incident.id] = incident
        // A shadow trip pages nobody: no `.tripped` event. Logged once the fan-out is under way: not on the path
        // to the first cancel.
        await start(incident, kind: .first, resume: nil, announce: !shadow, opening: opening)
        logger.log(level: shadow ? .warning : .critical, shadow ? "TRIPPED (shadow mode: nothing will be cancelled)" : "TRIPPED", metadata: [
            "incident": "\(incident.id)", "scope": "\(scope)", "reason": "\(reason)", "by": "\(actor?.description ?? ruleId ?? "-")",
        ])
        return incident.id
    }

    /// A trip's opening intents, committed with the incident, whose fan-out never started (re-armed first): each
    /// says it was not sent.
    private func recordNeverSent(_ opening: FanOutOpening?, incidentId: Int64) async {
        for request in (opening?.recorded ?? [:]).values.joined().joined() {
            _ = try? await store.recordAnswer(incidentId: incidentId, intentId: request.intentId, httpStatus: nil, venueCode: nil, rawBody: "", latencyNanoseconds: 0,
                                              transportError: "not sent: scope re-armed", outcomes: [], attempts: request.attempts)
        }
    }

    /// Provisional ids whose incident has been written to the database, and its real id.
    private var aliases: [Int64: Int64] = [:]

    /// The id the engine keys an incident by now (a provisional id resolves to the real one once stored).
    private func resolve(_ id: Int64) -> Int64 { aliases[id] ?? id }

    /// A provisional incident was written to the database (the journal merged): from now on it is known by
    /// its real id — the gate, status, re-arm, the running fan-out's end.
    func incidentStored(_ provisional: Int64, as stored: IncidentRecord) {
        guard aliases[provisional] == nil else { return }
        aliases[provisional] = stored.id
        if let current = latched.removeValue(forKey: provisional) {
            var record = stored
            record.state = current.state
            record.endedAt = current.endedAt
            record.summary = current.summary
            latched[stored.id] = record
        }
        if let record = runningRecords.removeValue(forKey: provisional) { runningRecords[stored.id] = record }
        if let run = runs.removeValue(forKey: provisional) { runs[stored.id] = run }
        if foundDuringEnd.remove(provisional) != nil { foundDuringEnd.insert(stored.id) }
        endedOrder = endedOrder.map { $0 == provisional ? stored.id : $0 }
        logger.notice("incident written to the database", metadata: ["provisional": "\(provisional)", "incident": "\(stored.id)"])
    }

    /// Takes in every provisional incident the store has merged and this engine has not heard of yet (the
    /// store's callback arrives asynchronously; a re-arm by the real id must not race it).
    public func catchUpWithStore() async {
        for (provisional, real) in await store.mergedIncidents() where aliases[provisional] == nil {
            guard latched[provisional] != nil || runs[provisional] != nil, let record = try? await store.incident(id: real) else { continue }
            if aliases[provisional] == nil { incidentStored(provisional, as: record) }
        }
    }

    /// Hears of provisional incidents the store merges (registered once the engine exists).
    public func attachToStore() async {
        await store.onIncidentStored { [weak self] provisional, record in
            Task { await self?.incidentStored(provisional, as: record) }
        }
    }

    // MARK: Resuming after a restart

    /// Picks up every latched incident a previous process left: a fan-out that was running resumes under a
    /// fresh deadline (requests answered are not re-sent; those sent but unanswered are verified first); an
    /// incident that ended `incomplete` goes on being tried; a `flat` one is watched by the latched sweep.
    /// Returns the resumed (running) ones.
    @discardableResult
    public func resumeRunningIncidents() async throws -> [Int64] {
        var resumed: [Int64] = []
        for incident in try await store.runningIncidents() where runs[incident.id] == nil {
            let state = try await store.resumeState(incidentId: incident.id)
            logger.warning("resuming incident", metadata: ["incident": "\(incident.id)", "unanswered": "\(state.unanswered.count)"])
            // However long the process was down, the resumed fan-out gets its full time.
            let record = try await store.reopenIncident(id: incident.id, auditKind: "resume", actor: nil, detail: [
                "unanswered": "\(state.unanswered.count)", "terminal": "\(state.terminal.count)",
            ], deadlineAt: freshDeadline()) ?? incident
            if record.isLatched { latched[record.id] = record } else { runningRecords[record.id] = record }
            await start(record, kind: .first, resume: state)
            resumed.append(record.id)
        }
        for incident in latched.values.sorted(by: { $0.id < $1.id }) where runs[incident.id] == nil {
            switch incident.state {
            case .incomplete:
                logger.critical("incident still incomplete and latched: trying again", metadata: ["incident": "\(incident.id)"])
                scheduleKeepTrying(incident.id, attempts: 0, progress: nil, after: .zero)
            case .flat, .running, .shadow:
                setEnded(incident.id, EndedIncident(outcome: incident.state == .flat ? .flat : nil, endedAt: incident.endedAt ?? 0, remaining: 0, progress: nil))
            }
        }
        return resumed
    }

    // MARK: Retry, re-arm

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
        if runs[incidentId]?.isActive == true { throw RetryError.stillRunning(incidentId) }
        // Claimed before the first suspension, so a second retry arriving meanwhile is refused, not doubled.
        let previous = claimStart(incidentId)
        do {
            guard let record = try await store.incident(id: incidentId) else { throw RetryError.unknownIncident(incidentId) }
            guard record.isLatched else { throw RetryError.notLatched(incidentId) }
            guard let reopened = try await store.reopenIncident(id: incidentId, auditKind: "incident-retry", actor: actor, detail: [:],
                                                                deadlineAt: freshDeadline()) else {
                throw RetryError.unknownIncident(incidentId)
            }
            latched[incidentId] = reopened
            logger.warning("incident retried", metadata: ["incident": "\(incidentId)", "by": "\(actor?.description ?? "-")"])
            await start(reopened, kind: .first, resume: nil)
        } catch {
            releaseStart(incidentId, restoring: previous)
            throw error
        }
    }

    /// The incident was re-armed (the store has committed it): its scope is no longer tripped. A running
    /// fan-out starts nothing more (a request already on the wire cannot be recalled); a scheduled attempt
    /// is dropped; the latched sweep no longer looks at the scope.
    public func unlatch(_ id: Int64) async {
        if latched[resolve(id)] == nil { await catchUpWithStore() }
        let incidentId = resolve(id)
        guard let record = latched.removeValue(forKey: incidentId) else { return }
        switch runs[incidentId] {
        case .running(let fanOut)?:
            runningRecords[incidentId] = record
            await fanOut.executor.stopForRearm()
        case .keepTrying(let state)?:
            state.timer.cancel()
            setEnded(incidentId, EndedIncident(outcome: .incomplete, endedAt: WallClock.system.now(), remaining: 0, progress: state.progress))
        case .starting?, .ended?, nil:
            break
        }
    }

    /// Waits for an incident's fan-out to end and says how it ended. An incident latched but still being set
    /// up is waited for too, so a caller that saw the trip never gets nil by racing it. After keep trying has
    /// taken over, `incomplete`; nil for an incident this process never ran.
    public func waitForIncident(_ provisionalOrReal: Int64) async -> IncidentStateMachine.Outcome? {
        let id = resolve(provisionalOrReal)
        if case .starting? = runs[id] {
            await withCheckedContinuation { continuation in
                if case .starting(let waiters)? = runs[id] { runs[id] = .starting(waiters: waiters + [continuation]) } else { continuation.resume() }
            }
        }
        switch runs[resolve(id)] {
        case .running(let fanOut)?:
            switch await fanOut.task.value {
            case .finished(let outcome, _): return outcome
            case .stopped: return nil
            }
        case .keepTrying?: return .incomplete
        case .ended(let ended)?: return ended.outcome
        case .starting?, nil: return nil
        }
    }

    // MARK: Orders found in a tripped scope

    /// Orders learned (from events, listings or the latched sweep) inside a latched scope are cancelled on
    /// sight: by the running fan-out, or by the next attempt brought forward, or by a fresh fan-out.
    public func learned(_ orders: [StoredOrder]) async {
        guard !shadow else { return }
        var byIncident: [Int64: [StoredOrder]] = [:]
        for order in orders where order.status.isOpen {
            guard let incident = latched.values.sorted(by: { $0.id < $1.id }).first(where: { incident in
                guard incident.id > 0, incident.scope.contains(venue: order.venueId, account: order.account, symbol: order.symbol) else { return false }
                // A kept order is outside the scope: not cancelled on sight.
                guard let venue = venues.first(where: { $0.id == order.venueId }) else { return true }
                return !tripScope(incident).keeps(venue, symbol: order.symbol, clientOrderId: order.clientOrderId)
            })
            else { continue }
            byIncident[incident.id, default: []].append(order)
        }
        for (incidentId, found) in byIncident.sorted(by: { $0.key < $1.key }) {
            await cancelOnSight(incidentId, found)
        }
    }

    private func cancelOnSight(_ incidentId: Int64, _ found: [StoredOrder]) async {
        if case .starting? = runs[incidentId] {
            // A fan-out being set up reads the store once it runs; wait for it, then hand the orders over.
            await withCheckedContinuation { continuation in
                if case .starting(let waiters)? = runs[incidentId] { runs[incidentId] = .starting(waiters: waiters + [continuation]) } else { continuation.resume() }
            }
        }
        guard let incident = latched[incidentId] else { return }
        switch runs[incidentId] {
        case .running(let fanOut)?:
            var notTaken: [StoredOrder] = []
            for order in found {
                guard let venue = venues.first(where: { $0.id == order.venueId }) else { continue }
                let planned = PlannedOrder(target: order.cancelTarget.usable(by: venue.kind), notional: Self.notionalEstimate(order, venue: venue))
                if !(await fanOut.executor.cancelOnSight(venueId: order.venueId, order: planned)) { notTaken.append(order) }
            }
            guard !notTaken.isEmpty else { return }
            // The fan-out ended as these arrived. If its end is not handled yet, the handler starts the next
            // fan-out (the orders are in the store for it); if it is, start what comes next from here.
            if case .running(let current)? = runs[incidentId], current.executor === fanOut.executor {
                foundDuringEnd.insert(incidentId)
            } else {
                await cancelOnSight(incidentId, notTaken)
            }
        case .keepTrying(let state)?:
            state.timer.cancel()
            logger.warning("orders found in a scope being retried: attempting now", metadata: ["incident": "\(incidentId)", "orders": "\(found.count)"])
            await startKeepTryingAttempt(incidentId, attempts: state.attempts)
        case .ended?, nil, .starting?:
            let previous = claimStart(incidentId)
            let reopened = try? await store.reopenIncident(id: incidentId, auditKind: "incident-reopen", actor: nil,
                                                           detail: ["reason": "\(found.count) order(s) found open inside the tripped scope", "orders": found.prefix(20).map { String($0.id) }.joined(separator: ",")],
                                                           deadlineAt: freshDeadline())
            guard latched[incidentId] != nil else {
                releaseStart(incidentId, restoring: previous)
                return
            }
            let record = (reopened ?? nil) ?? incident
            latched[incidentId] = record
            logger.warning("orders found open inside a tripped scope: cancelling on sight", metadata: ["incident": "\(incidentId)", "orders": "\(found.count)"])
            await start(record, kind: .first, resume: nil)
        }
    }

    /// The kept notional on `venueId` went over its cap: every latched incident covering the entry (the whole
    /// entry, or the kept orders' symbols) stops honouring its keep rules and cancels the kept orders on sight.
    /// Returns false when no latched incident covers them (the caller trips the entry).
    func voidKeep(venueId: String, kept: [StoredOrder]) async -> Bool {
        guard let venue = venues.first(where: { $0.id == venueId }) else { return false }
        let covering = latched.values.filter { $0.id > 0 && TripScope($0.scope).covers(venue) }
        guard !covering.isEmpty else { return false }
        var taken = false
        for incident in covering {
            let scope = TripScope(incident.scope)
            guard kept.contains(where: { scope.containsOrder(kind: venue.kind, symbol: $0.symbol) }) else { continue }
            taken = true
            // A fan-out running now lists with the keep void from here on (its kept orders come by `learned`).
            if case .running(let run)? = runs[incident.id] { await run.executor.voidKeep(venueId) }
            if keepVoided[incident.id, default: []].insert(venueId).inserted {
                logger.critical("kept notional above max_kept_notional: the keep is void and those orders are cancelled", metadata: [
                    "incident": "\(incident.id)", "venue": "\(venueId)", "orders": "\(kept.count)",
                ])
                try? await store.appendAudit(kind: "keep-void", incidentId: incident.id, actor: nil, detail: [
                    "venue": venueId, "matching": "\(kept.count)", "decision": "keep void: kept notional above max_kept_notional, these orders are cancelled",
                ])
            }
        }
        if taken { await learned(kept) }
        return taken
    }

    // MARK: The latched sweep

    /// One round of the latched sweep: every venue account covered by a latched incident that is not being
    /// worked on right now (it ended `flat`) is listed once, and anything open in such a scope is adopted and
    /// cancelled on sight. Returns how many orders it found. Empty rounds write nothing.
    @discardableResult
    public func sweepLatched() async -> Int {
        guard !shadow else { return 0 }
        var scopes: [String: [TripScope]] = [:]
        for incident in latched.values where incident.id > 0 {
            guard case .ended? = runs[incident.id] else { continue }
            let scope = tripScope(incident)
            for venue in scope.venues(in: venues) where clients[venue.id] != nil {
                scopes[venue.id, default: []].append(scope)
            }
        }
        guard !scopes.isEmpty else { return 0 }
        let clients = self.clients, logger = self.logger, store = self.store, metrics = self.metrics
        let targets = venues.filter { scopes[$0.id] != nil }
        let found: [(VenueDescriptor, [VenueOpenOrder])] = await withTaskGroup(of: (VenueDescriptor, [VenueOpenOrder]).self) { group in
            for venue in targets {
                guard let client = clients[venue.id] else { continue }
                // One listing of the whole account serves every latched scope on it (each scope, keep rules
                // included, filters it below).
                let listing = ScopedListing(venue: venue, scope: TripScope(.everything, keepVoided: [venue.id]))
                let covering = scopes[venue.id] ?? []
                group.addTask {
                    do {
                        let (_, open, _) = try await listing.fetch(client: client)
                        await listing.reportUntracked(open, store: store, metrics: metrics)
                        return (venue, open.filter { order in covering.contains { $0.contains(venue, symbol: order.symbol, clientOrderId: order.clientOrderId) } })
                    } catch {
                        logger.warning("latched sweep: listing failed", metadata: ["venue": "\(venue.id)", "error": "\(error)"])
                        return (venue, [])
                    }
                }
            }
            var all: [(VenueDescriptor, [VenueOpenOrder])] = []
            for await result in group where !result.1.isEmpty { all.append(result) }
            return all
        }
        var total = 0
        for (venue, open) in found {
            // Every listed order is cancelled on sight, whether or not its row could be written or read back.
            let adoption = await store.adoptListed(venueId: venue.id, orders: open)
            ListingAdoptionLog.log(adoption, venueId: venue.id, incidentId: nil, logger: logger)
            var stored: [StoredOrder] = []
            do {
                stored = try await store.orders(ids: adoption.targets.map(\.orderId).filter { $0 > 0 })
            } catch {
                logger.error("latched sweep: could not read adopted orders back; cancelling them as listed", metadata: ["venue": "\(venue.id)", "error": "\(error)"])
            }
            let read = Set(stored.map(\.id))
            let now = WallClock.system.now()
            for (target, order) in zip(adoption.targets, open) where !read.contains(target.orderId) {
                stored.append(.unrecorded(target, venueId: venue.id, account: venue.account, origin: order.origin, now: now))
            }
            total += stored.count
            logger.critical("latched sweep found orders open inside a tripped scope", metadata: ["venue": "\(venue.id)", "orders": "\(stored.count)"])
            await learned(stored)
        }
        return total
    }

    // MARK: Running fan-outs

    /// When a fan-out starting now is due to end (wall-clock ms, as stored).
    private func freshDeadline() -> Int64 { WallClock.system.now() + settings.incidentDeadline.nanoseconds / 1_000_000 }

    /// Marks the incident as being set up before any suspension; returns what it was, to restore on failure.
    private func claimStart(_ id: Int64) -> IncidentRun? {
        let previous = runs[id]
        if case .keepTrying(let state)? = previous { state.timer.cancel() }
        if case .starting? = previous { return previous }
        runs[id] = .starting(waiters: [])
        return previous
    }

    /// The set-up failed: wake the waiters and put back what was there.
    private func releaseStart(_ id: Int64, restoring previous: IncidentRun?) {
        guard case .starting(let waiters)? = runs[id] else { return }
        switch previous {
        case .keepTrying(let state)?: scheduleKeepTrying(id, attempts: state.attempts, progress: state.progress, after: .zero)
        case .ended(let ended)?: runs[id] = .ended(ended)
        default: runs[id] = nil
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Sets up and starts a fan-out over everything in the incident's scope: the stored open orders, planned
    /// by id, then a listing of every venue account in scope. Never throws: a venue in scope that cannot be
    /// worked (no client, disabled) makes the fan-out `incomplete` with that reason; a store that cannot be
    /// read leaves the listing to find the orders.
    ///
    /// `announce`: publish `.tripped` once the fan-out is registered (so a listener finds its progress) and
    /// before its end can be published (an incident with nothing to do ends at once) — webhooks must never
    /// hear of an end before its trip.
    /// - Parameter opening: the fan-out as the trip decided and started it with the incident's commit (nil: the
    ///   scope's open orders are read and planned here).
    private func start(_ incident: IncidentRecord, kind: FanOutKind, resume: IncidentResumeState?, announce: Bool = false, opening: FanOutOpening? = nil) async {
        if shadow {
            await recordShadowPlan(incident)
            return
        }
        let waiters: [CheckedContinuation<Void, Never>]
        if case .starting(let existing)? = runs[incident.id] { waiters = existing } else { waiters = [] }
        runs[incident.id] = .starting(waiters: waiters)
        var open: [StoredOrder] = []
        if opening == nil {
            do {
                open = try await store.orders(OrderFilter(scope: incident.scope, openOnly: true))
            } catch {
                logger.error("could not read the tripped scope's orders; the venues' listings will find them", metadata: ["incident": "\(incident.id)", "error": "\(error)"])
            }
        }
        let voidedEarlier = keepVoided[incident.id] ?? []
        let setup = opening?.setup ?? planner.setup(incident, open: open, kind: kind, resume: resume, voided: voidedEarlier)
        let (kept, scope, plans) = (setup.kept, setup.scope, setup.plans)
        // A keep once void for the incident stays void (a later fan-out seeing less kept notional does not restore it).
        keepVoided[incident.id] = scope.keepVoided
        // Re-armed while the orders loaded: nothing starts.
        guard latched[incident.id] != nil || runningRecords[incident.id] != nil else {
            await recordNeverSent(opening, incidentId: incident.id)
            let waiting = startingWaiters(incident.id)
            setEnded(incident.id, EndedIncident(outcome: nil, endedAt: WallClock.system.now(), remaining: 0, progress: nil))
            for waiter in waiting { waiter.resume() }
            return
        }
        var running = incident
        if case .keepTrying = kind { running.deadlineAt = freshDeadline() }
        let progress = IncidentProgress()
        let executor = IncidentExecutor(
            incident: running, scope: scope, machine: setup.machine, opening: opening.map { ($0.actions, $0.recorded ?? [:]) }, store: store, clients: clients, venues: venues,
            limits: limits, clock: clock, policy: RetryPolicy(initial: settings.retryInitial, maximum: settings.retryMax), progress: progress,
            crashPoint: crashPoint, metrics: metrics, logger: logger
        )
        limits.setReserveForIncidents(true)
        let clock = self.clock
        let task = Task { [weak self] in
            var ending = IncidentExecutor.Ending.stopped
            let elapsed = await clock.measure { ending = await executor.run() }
            await self?.fanOutEnded(incident, kind: kind, ending: ending, executor: executor, progress: progress, elapsed: elapsed)
            return ending
        }
        let allWaiters = startingWaiters(incident.id)
        runs[incident.id] = .running(RunningFanOut(executor: executor, task: task, progress: progress, kind: kind))
        // A first fan-out (trip, resume, reopen, retry) runs the incident again; a keep-trying attempt leaves
        // it `incomplete` until it is flat.
        if case .first = kind { updateRecord(incident.id) { $0.state = .running; $0.endedAt = nil } }
        if announce { events.publish(.tripped(incident)) }
        for waiter in allWaiters { waiter.resume() }
        // Written once the fan-out runs: the audit must not delay the first cancel. Kept orders are audited once
        // per fan-out asked for (the trip, a resume, a reopen, a retry), not per keep-trying attempt.
        if case .first = kind { await recordKept(kept, incidentId: incident.id, voidedEarlier: voidedEarlier) }
        await recordPlans(plans, incidentId: incident.id)
    }

    private func startingWaiters(_ id: Int64) -> [CheckedContinuation<Void, Never>] {
        if case .starting(let waiters)? = runs[id] { return waiters }
        return []
    }

    /// A fan-out ended: record it and decide what comes next.
    private func fanOutEnded(_ started: IncidentRecord, kind: FanOutKind, ending: IncidentExecutor.Ending, executor: IncidentExecutor,
                             progress: IncidentProgress, elapsed: Duration) async {
        let id = resolve(started.id)
        var incident = latched[id] ?? runningRecords[id] ?? started
        incident.id = id
        defer {
            if !runs.values.contains(where: { if case .running = $0 { true } else { false } }) { limits.setReserveForIncidents(false) }
        }
        let leftOver = await executor.leftOver || foundDuringEnd.remove(id) != nil
        switch ending {
        case .stopped:
            runningRecords.removeValue(forKey: id)
            let summary = "{\"outcome\":\"incomplete\",\"problem\":\"stopped: the scope was re-armed while the fan-out ran\",\"venues\":[]}"
            do {
                try await store.finishIncident(id: id, state: .incomplete, summary: summary)
            } catch {
                logger.error("could not record the incident's end", metadata: ["incident": "\(id)", "error": "\(error)"])
            }
            logger.warning("fan-out stopped: the scope was re-armed", metadata: ["incident": "\(id)"])
            // No end event: the re-arm was the news, and it was published.
            setEnded(id, EndedIncident(outcome: .incomplete, endedAt: WallClock.system.now(), remaining: 0, progress: progress))

        case .finished(let outcome, let results):
            let summary = IncidentSummary(outcome: outcome, results: results)
            let stillLatched = latched[id] != nil
            runningRecords.removeValue(forKey: id)
            var announce = true
            switch (kind, outcome) {
            case (.keepTrying(let attempt), .incomplete):
                // Still not flat: no new alert (the first end alerted), no store write (it says incomplete).
                announce = false
                logger.error("incident still incomplete after attempt \(attempt): trying again", metadata: [
                    "incident": "\(id)", "open": "\(summary.remainingCount)", "venues": "\(summary.logLine)",
                ])
            default:
                do {
                    try await store.finishIncident(id: id, state: outcome == .flat ? .flat : .incomplete, summary: summary.json)
                } catch {
                    logger.error("could not record the incident's end", metadata: ["incident": "\(id)", "error": "\(error)"])
                }
                if outcome == .flat {
                    logger.info("incident flat", metadata: ["incident": "\(id)"])
                } else {
                    logger.critical("INCIDENT INCOMPLETE: orders may still be open; trying again until flat or re-armed", metadata: [
                        "incident": "\(id)", "open": "\(summary.remainingCount)", "venues": "\(summary.logLine)",
                        "orders": "killswitch audit orders --incident \(id)",
                    ])
                }
            }
            if announce {
                updateRecord(id) { $0.state = outcome == .flat ? .flat : .incomplete; $0.endedAt = WallClock.system.now(); $0.summary = summary.json }
                events.publish(.incidentEnded(incident, outcome: outcome, durationNanoseconds: elapsed.nanoseconds))
            }
            if outcome == .incomplete && stillLatched {
                let attempts: Int = if case .keepTrying(let attempt) = kind { attempt } else { 0 }
                scheduleKeepTrying(id, attempts: attempts, progress: progress, after: leftOver ? .zero : nil)
            } else if outcome == .flat && leftOver && stillLatched {
                scheduleKeepTrying(id, attempts: 0, progress: progress, after: .zero)
            } else {
                setEnded(id, EndedIncident(outcome: outcome, endedAt: WallClock.system.now(), remaining: summary.remainingCount, progress: progress))
            }
        }
    }

    /// Keeps the latched copy of an incident's record current (status reads it, not the store).
    private func updateRecord(_ id: Int64, _ change: (inout IncidentRecord) -> Void) {
        if latched[id] != nil { change(&latched[id]!) }
        if runningRecords[id] != nil { change(&runningRecords[id]!) }
    }

    /// Schedules the next keep-trying attempt: after `after`, or after the capped backoff for the attempt.
    private func scheduleKeepTrying(_ id: Int64, attempts: Int, progress: IncidentProgress?, after: Duration?) {
        let delay = after ?? RetryPolicy(initial: settings.keepTryingInitial, maximum: settings.keepTryingMax)
            .delay(attempt: attempts + 1, unit: Double.random(in: 0..<1))
        let clock = self.clock
        let timer = Task { [weak self] in
            do { try await clock.sleep(for: delay) } catch { return }
            await self?.startKeepTryingAttempt(id, attempts: attempts)
        }

        runs[id] = .keepTrying(KeepTrying(attempts: attempts, nextAt: WallClock.system.now() + delay.nanoseconds / 1_000_000, timer: timer, progress: progress))
    }

    private func startKeepTryingAttempt(_ provisionalOrReal: Int64, attempts: Int) async {
        let id = resolve(provisionalOrReal)
        guard case .keepTrying? = runs[id], let incident = latched[id] else { return }
        logger.warning("keep trying: re-listing and re-cancelling a latched incomplete incident", metadata: ["incident": "\(id)", "attempt": "\(attempts + 1)"])
        runs[id] = .starting(waiters: [])
        await start(incident, kind: .keepTrying(attempt: attempts + 1), resume: nil)
    }

    /// A shadow incident's plan is recorded: nothing runs for it.
    fileprivate func recordShadowEnd(_ id: Int64) {
        setEnded(id, EndedIncident(outcome: nil, endedAt: WallClock.system.now(), remaining: 0, progress: nil))
    }

    /// Keeps a bounded number of ended summaries, oldest dropped first. A latched incident keeps its state
    /// whatever its age: the latched sweep needs to know it ended.
    private func setEnded(_ id: Int64, _ ended: EndedIncident) {
        runs[id] = .ended(ended)
        endedOrder.removeAll { $0 == id }
        endedOrder.append(id)
        var excess = endedOrder.count - Self.endedKept
        guard excess > 0 else { return }
        endedOrder.removeAll { oldest in
            guard excess > 0, latched[oldest] == nil, case .ended? = runs[oldest] else { return false }
            runs.removeValue(forKey: oldest)
            keepVoided.removeValue(forKey: oldest)
            excess -= 1
            return true
        }
    }

    // MARK: Notional

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

extension TripEngine {
    /// Shadow mode's fan-out: what a live daemon would send, recorded and not sent. Every venue account in scope
    /// is listed (read-only, so orders nobody reported are in the plan too), the stored and listed orders are
    /// planned into the batches a live fan-out would send, each planned request is recorded as an intent of kind
    /// `shadow` answered "not sent", and the incident ends in its own `shadow` state — it does not keep trying,
    /// sweep, or page.
    func recordShadowPlan(_ incident: IncidentRecord) async {
        let stored = (try? await store.orders(OrderFilter(scope: incident.scope, openOnly: true))) ?? []
        let kept = KeptOrders(scope: incident.scope, venues: venues, open: stored)
        keepVoided[incident.id] = kept.voided
        await recordKept(kept, incidentId: incident.id)
        let scope = tripScope(incident)
        var planned: [String: (requests: Int, orders: Int)] = [:]
        for venue in scope.venues(in: venues) {
            var orders = stored.filter { $0.venueId == venue.id && scope.contains(venue, symbol: $0.symbol, clientOrderId: $0.clientOrderId) }
                .map { $0.cancelTarget.usable(by: venue.kind) }
            if let client = clients[venue.id] {
                let listing = ScopedListing(venue: venue, scope: scope)
                if let (_, open, _) = try? await listing.fetch(client: client) {
                    let adoption = await store.adoptListed(venueId: venue.id, orders: open, incidentId: incident.id)
                    let known = Set(orders.map(\.orderId))
                    orders += adoption.targets.filter { !known.contains($0.orderId) }
                }
            }
            // The plan a live trip would follow (auto's choice included), recorded as it would be.
            let choice = planner.choosePlan(venue, scope: scope, wholesale: WholesaleCancel.check(venue, among: venues, scope: scope),
                                    orders: orders.map { PlannedOrder(target: $0) })
            await recordPlans([(venue, choice)], incidentId: incident.id)
            var wholesale: [(attempt: Int, symbol: String?, targets: [CancelTarget])] = []
            if case .cancelAll(let reach) = choice.plan {
                // One intent of kind `shadow-cancel-all` per cancel-all call, naming the orders it would take.
                let calls: [String?] = if case .symbols(let symbols) = reach { symbols } else { [nil] }
                for symbol in calls {
                    wholesale.append((1, symbol, orders.filter { target in symbol.map { venue.kind.canonicalSymbol(target.symbol) == $0 } ?? true }))
                }
                orders = orders.filter { !reach.covers($0.symbol, kind: venue.kind) }
            }
            let batches = CancelPlanner.batches(venueId: venue.id, kind: venue.kind, targets: orders)
            planned[venue.id] = (wholesale.count + batches.count, (wholesale.map(\.targets) + batches.map(\.targets)).reduce(0) { $0 + $1.count })
            var ids: [Int64] = []
            if !wholesale.isEmpty, let recorded = try? await store.recordIntents(incidentId: incident.id, venueId: venue.id, kind: "shadow-cancel-all", requests: wholesale) {
                ids += recorded
            }
            if !batches.isEmpty, let recorded = try? await store.recordIntents(incidentId: incident.id, venueId: venue.id, kind: "shadow",
                                                                             requests: batches.map { (1, $0.symbol, $0.targets) }) {
                ids += recorded
            }
            for id in ids {
                try? await store.recordAnswer(incidentId: incident.id, intentId: id, httpStatus: nil, venueCode: nil, rawBody: "", latencyNanoseconds: 0,
                                              transportError: "shadow mode: not sent", outcomes: [], attempts: [:])
            }
        }
        let summary = ShadowPlanSummary(venues: planned.sorted { $0.key < $1.key }
            .map { .init(venue: $0.key, requests: $0.value.requests, orders: $0.value.orders) }).json
        do {
            try await store.finishIncident(id: incident.id, state: .shadow, summary: summary)
        } catch {
            logger.error("the shadow incident's end could not be recorded", metadata: ["incident": "\(incident.id)", "error": "\(error)"])
        }
        logger.warning("SHADOW MODE: a trip was planned and recorded, nothing was sent", metadata: [
            "incident": "\(incident.id)", "requests": "\(planned.values.reduce(0) { $0 + $1.requests })", "orders": "\(planned.values.reduce(0) { $0 + $1.orders })",
        ])
        shadowEnded(incident.id, summary: summary)
    }

    private func shadowEnded(_ id: Int64, summary: String) {
        if latched[id] != nil {
            latched[id]?.state = .shadow
            latched[id]?.endedAt = WallClock.system.now()
            latched[id]?.summary = summary
        }
        recordShadowEnd(id)
    }
}
