import Foundation
import KillSwitchCore
import KillSwitchStore
import Logging
import Synchronization
import Venues

/// Performs one fan-out of an incident: every venue account in parallel, each request through its rate
/// limit, intent committed before the request is sent, answer and outcomes after. Policy lives in the
/// `IncidentStateMachine`; this type only does I/O and feeds the answers back. The trip engine records how
/// the fan-out ended and decides what comes next (keep trying, the latched sweep).
actor IncidentExecutor {
    /// How a fan-out ended.
    enum Ending: Sendable {
        /// Every venue finished: `flat` or `incomplete`, with each venue's result.
        case finished(IncidentStateMachine.Outcome, [VenueCancelResult])
        /// The scope was re-armed: nothing more was started after that.
        case stopped
    }

    /// What a finished piece of I/O hands back to the run loop.
    enum Completion: Sendable {
        case batch(venueId: String, outcomes: [OrderCancelOutcome], refusedAsARequest: Bool = false)
        /// A fan-out step whose intents could not be written: nothing was sent, one answer per batch.
        case notSent(venueId: String, batches: [[OrderCancelOutcome]])
        /// A fan-out step's intents are committed (one transaction): each request may now take its token.
        case intentsRecorded(venueId: String, requests: [RecordedRequest])
        case listed(venueId: String, purpose: VenueCancelStateMachine.ListingPurpose, orders: [VenueCancelStateMachine.ListedOrder], verified: Int64?)
        case listingFailed(venueId: String, purpose: VenueCancelStateMachine.ListingPurpose, kind: CancelOutcomeKind, reason: String)
        case cancelAll(venueId: String, symbol: String, kind: CancelOutcomeKind, reason: String?)
        /// The plan's cancel-all answered (symbol nil: the whole entry's); `named`: the venue order ids its answer
        /// says it cancelled, recorded against its intent.
        case wholesale(venueId: String, symbol: String?, kind: CancelOutcomeKind, reason: String?, intentId: Int64? = nil, named: [String] = [])
        case retryDue(venueId: String)
        case verifyDue(venueId: String)
        /// Orders learned inside the scope wait in `pendingDiscoveries`; this wakes the run loop for them.
        case discovered
        case deadline
        /// The scope was re-armed.
        case stopped
        /// A write of verified outcomes finished (`pendingRecords`).
        case recorded
    }

    /// A batch cancel whose intent is committed, ready to take its token and go.
    struct RecordedRequest: Sendable {
        var batch: CancelBatch
        var attempts: [Int64: Int]
        var intentId: Int64
    }

    let incident: IncidentRecord
    /// "In scope" for this fan-out (keep rules included): every listing filters with it. A keep found void while
    /// the fan-out runs widens it (`voidKeep`).
    private(set) var scope: TripScope
    private var machine: IncidentStateMachine
    private let store: Store
    private let clients: [String: any VenueClient]
    private let venues: [String: VenueDescriptor]
    private let limits: VenueRateLimits
    private let clock: any Clock<Duration>
    private let policy: RetryPolicy
    private let logger: Logger
    private let progress: IncidentProgress
    private let crashPoint: CrashPoint
    /// Metrics hooks: one call per answer, one per token wait, one per verification record.
    private let metrics: KillSwitchMetrics?
    /// The last listing intent per venue, so verification outcomes link to the request that decided them.
    private var lastListingIntent: [String: Int64] = [:]
    /// The intent of the cancel-all whose answer is being handled, so the orders it named link to it.
    private var answeredWholesaleIntent: [String: Int64] = [:]
    private let inbox: AsyncStream<Completion>
    private let inboxSink: AsyncStream<Completion>.Continuation
    private var pendingDiscoveries: [(venueId: String, order: PlannedOrder)] = []
    /// Set once the fan-out has ended: later discoveries start a new fan-out instead.
    private var done = false
    /// Orders learned for a venue whose part had already ended at the deadline: they are in the store and
    /// the next fan-out takes them.
    private(set) var leftOver = false
    /// Set (by `stop()`) when the scope is re-armed; every send, listing and cancel-all checks it first.
    private let stop = FanOutStop()
    /// Writes of verified outcomes run beside the fan-out (thousands of rows after a cancel-all must not hold up
    /// the other venues' listings), one after the other in the order decided; the fan-out's end waits for them,
    /// so the incident's end is never recorded before its outcomes.
    private var recordChain: Task<Void, Never>?
    private var pendingRecords = 0
    private var deferredEnding: Ending?
    /// The machine's opening actions when the trip started it already (nil: `run` starts it).
    private var opening: [IncidentStateMachine.Action]?
    /// Per venue, opening batch-cancel steps whose intents the trip committed with the incident: sent as they are.
    private var recordedSteps: [String: [[RecordedRequest]]]

    init(incident: IncidentRecord, scope: TripScope, machine: IncidentStateMachine,
         opening: (actions: [IncidentStateMachine.Action], recorded: [String: [[RecordedRequest]]])? = nil, store: Store, clients: [String: any VenueClient], venues: [VenueDescriptor],
         limits: VenueRateLimits, clock: any Clock<Duration>, policy: RetryPolicy, progress: IncidentProgress, crashPoint: CrashPoint,
         metrics: KillSwitchMetrics? = nil, logger: Logger) {
        self.incident = incident
        self.scope = scope
        self.machine = machine
        self.opening = opening?.actions
        self.recordedSteps = opening?.recorded ?? [:]
        self.store = store
        self.clients = clients
        self.venues = Dictionary(venues.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        self.limits = limits
        self.clock = clock
        self.policy = policy
        self.progress = progress
        for (venueId, venue) in machine.venues { progress.planned(venueId: venueId, orders: venue.trackedCount) }
        self.crashPoint = crashPoint
        self.metrics = metrics
        self.logger = logger
        (inbox, inboxSink) = AsyncStream<Completion>.makeStream()
    }

    /// An order learned inside the incident's scope while it runs: cancel it on sight. Returns false when
    /// the fan-out has already ended (the caller starts a new one).
    func cancelOnSight(venueId: String, order: PlannedOrder) -> Bool {
        guard !done else { return false }
        pendingDiscoveries.append((venueId, order))
        inboxSink.yield(.discovered)
        return true
    }

    /// The entry's keep is void (kept notional over its cap) while this fan-out runs: its kept orders are in scope
    /// from now on, so every later listing sees them — none can pass for gone because a listing filtered it out.
    func voidKeep(_ venueId: String) {
        guard !scope.keepVoided.contains(venueId) else { return }
        scope = TripScope(scope.scope, keepVoided: scope.keepVoided.union([venueId]))
    }

    /// The scope was re-armed: nothing new is started from now on (a request already on the wire cannot be
    /// recalled), and the run ends as `.stopped`.
    func stopForRearm() {
        stop.set()
        inboxSink.yield(.stopped)
    }

    private func takeDiscoveries() -> [IncidentStateMachine.Action] {
        let pending = pendingDiscoveries
        pendingDiscoveries.removeAll()
        return pending.flatMap { item in
            let before = machine.venues[item.venueId]?.trackedCount ?? 0
            guard let actions = machine.discovered(venueId: item.venueId, item.order) else {
                leftOver = true
                return [IncidentStateMachine.Action]()
            }
            progress.planned(venueId: item.venueId, orders: (machine.venues[item.venueId]?.trackedCount ?? 0) - before)
            return actions
        }
    }

    /// Drives the fan-out until every venue has finished (or the scope is re-armed); returns how it ended.
    func run() async -> Ending {
        // Every request of this fan-out — however deep in the venue client — is a cancel-priority request
        // that stays home once the scope is re-armed, and reports its wait for budget.
        let stop = self.stop, metrics = self.metrics
        let context = RequestContext(priority: .cancel, mayStillSend: { !stop.isSet }, waited: { venueId, wait in metrics?.tokenWaited(venueId: venueId, wait: wait) })
        return await RequestContext.$current.withValue(context) { await drive() }
    }

    private func drive() async -> Ending {
        var result: Ending = .stopped
        await withTaskGroup(of: Completion?.self) { group in
            let inbox = self.inbox
            group.addTask {
                for await event in inbox { return event }
                return nil
            }
            if let deadline = incident.deadlineAt {
                let wait = Duration.milliseconds(max(0, deadline - WallClock.system.now()))
                let clock = self.clock
                group.addTask {
                    try? await clock.sleep(for: wait, tolerance: .zero)
                    return Task.isCancelled ? nil : .deadline
                }
            }
            // A trip's opening comes already ordered (`FanOutPlanner.opening`).
            let opening = self.opening ?? FanOutPlanner.slowestVenueFirst(machine.start(), limits: limits)
            self.opening = nil
            var finished = await perform(opening, into: &group)
            while finished == nil, !stop.isSet, let completion = await group.next() {
                guard let completion else { continue }
                if case .stopped = completion { break }
                if case .discovered = completion {
                    let inbox = self.inbox
                    group.addTask {
                        for await event in inbox { return event }
                        return nil
                    }
                }
                if case .intentsRecorded(let venueId, let requests) = completion {
                    startSends(requests, venueId: venueId, into: &group)
                    continue
                }
                if case .recorded = completion {
                    pendingRecords -= 1
                    if pendingRecords == 0, machine.isFinished, let ending = deferredEnding {
                        done = true
                        finished = ending
                    }
                    continue
                }
                finished = await perform(handle(completion), into: &group)
            }
            group.cancelAll()
            result = stop.isSet ? .stopped : (finished ?? .stopped)
        }
        // Outcomes already decided are written before the run reports its end (a re-arm included): the incident's
        // end is never recorded before them.
        await recordChain?.value
        done = true
        inboxSink.finish()
        return result
    }

    /// Cancel attempts so far per order (sent orders have at least 1: the machine counts them before sending).
    private func attempts(_ venueId: String, _ targets: [CancelTarget]) -> [Int64: Int] {
        machine.attempts(venueId, targets)
    }

    private func handle(_ completion: Completion) -> [IncidentStateMachine.Action] {
        switch completion {
        case .batch(let venueId, let outcomes, let refusedAsARequest):
            return machine.apply(venueId) { $0.batchAnswered(outcomes, refusedAsARequest: refusedAsARequest) }
        case .notSent(let venueId, let batches):
            return batches.flatMap { outcomes in machine.apply(venueId) { $0.batchAnswered(outcomes) } }
        case .listed(let venueId, let purpose, let orders, let intent):
            lastListingIntent[venueId] = intent
            let before = machine.venues[venueId]?.trackedCount ?? 0
            let actions = machine.apply(venueId) { $0.listed(purpose, open: orders) }
            progress.planned(venueId: venueId, orders: (machine.venues[venueId]?.trackedCount ?? 0) - before)
            return actions
        case .listingFailed(let venueId, let purpose, let kind, let reason):
            return machine.apply(venueId) { $0.listingFailed(purpose, kind: kind, reason: reason) }
        case .cancelAll(let venueId, let symbol, let kind, let reason):
            return machine.apply(venueId) { $0.cancelAllAnswered(symbol: symbol, kind: kind, reason: reason) }
        case .wholesale(let venueId, let symbol, let kind, let reason, let intentId, let named):
            answeredWholesaleIntent[venueId] = intentId
            let named = Set(named)
            return machine.apply(venueId) { $0.wholesaleAnswered(symbol: symbol, kind: kind, reason: reason, named: named) }
        case .retryDue(let venueId):
            return machine.apply(venueId) { $0.retryDue() }
        case .verifyDue(let venueId):
            return machine.apply(venueId) { $0.verifyDue() }
        case .discovered:
            return takeDiscoveries()
        case .deadline:
            return machine.deadlineReached()
        case .intentsRecorded, .stopped, .recorded:
            return []
        }
    }

    /// One task per request: each waits for its own token, so a venue's requests leave as fast as its
    /// bucket allows and never wait on an earlier answer.
    private func startSends(_ requests: [RecordedRequest], venueId: String, into group: inout TaskGroup<Completion?>) {
        guard let client = clients[venueId] else { return }
        let incidentId = incident.id, store = self.store, limits = self.limits, progress = self.progress, crashPoint = self.crashPoint, logger = self.logger
        let metrics = self.metrics, stop = self.stop
        for request in requests {
            group.addTask {
                await Self.sendBatch(request, incidentId: incidentId, client: client, store: store, limits: limits, progress: progress,
                                     crashPoint: crashPoint, stop: stop, metrics: metrics, logger: logger)
            }
        }
    }

    /// Starts the I/O for each action; returns how the fan-out ended once it has.
    private func perform(_ actions: [IncidentStateMachine.Action], into group: inout TaskGroup<Completion?>) async -> Ending? {
        var finished: Ending?
        for action in actions {
            switch action {
            case .incidentFinished(let outcome, let results):
                // An order learned while the last answers came in keeps the fan-out going.
                if !pendingDiscoveries.isEmpty {
                    let more = takeDiscoveries()
                    if !more.isEmpty {
                        if let end = await perform(more, into: &group) { finished = end }
                        continue
                    }
                }
                if pendingRecords > 0 {
                    // Ends once the outcomes it decided are written (`recorded`).
                    deferredEnding = .finished(outcome, results)
                    continue
                }
                done = true
                finished = .finished(outcome, results)
            case .venue(let venueId, let venueAction):
                guard let client = clients[venueId] else {
                    if case .finished(let result) = venueAction { logFinished(result, venueId: venueId) }
                    continue
                }
                perform(venueAction, venueId: venueId, client: client, into: &group)
                if case .recordVerified(let outcomes) = venueAction {
                    recordVerified(outcomes, venueId: venueId, intentId: lastListingIntent[venueId], into: &group)
                }
                if case .recordNamed(let outcomes) = venueAction {
                    recordVerified(outcomes, venueId: venueId, intentId: answeredWholesaleIntent[venueId], into: &group)
                }
            }
        }
        return finished
    }

    /// Writes outcomes decided without a batch answer (by a listing, or named by a cancel-all's answer) against
    /// `intentId`, after every earlier write of them (a later listing's reopen never lands first). Beside the
    /// fan-out: thousands of rows must not hold up the other venues' requests.
    private func recordVerified(_ outcomes: [OrderCancelOutcome], venueId: String, intentId: Int64?, into group: inout TaskGroup<Completion?>) {
        let attempts = attempts(venueId, outcomes.map(\.target))
        let store = self.store, metrics = self.metrics, logger = self.logger, progress = self.progress, incidentId = incident.id
        let previous = recordChain
        let write = Task {
            await previous?.value
            do {
                try await store.recordVerified(incidentId: incidentId, intentId: intentId, outcomes: outcomes, attempts: attempts)
                metrics?.outcomesRecorded(venueId: venueId, outcomes: outcomes)
            } catch {
                logger.error("could not record verified outcomes", metadata: ["incident": "\(incidentId)", "error": "\(error)"])
            }
            progress.record(venueId: venueId, outcomes: outcomes)
        }
        recordChain = write
        pendingRecords += 1
        group.addTask {
            await write.value
            return .recorded
        }
    }

    private func perform(_ action: VenueCancelStateMachine.Action, venueId: String, client: any VenueClient, into group: inout TaskGroup<Completion?>) {
        let incidentId = incident.id
        let store = self.store, limits = self.limits, clock = self.clock, logger = self.logger, crashPoint = self.crashPoint
        let metrics = self.metrics, stop = self.stop
        switch action {
        case .send(let batches):
            if let recorded = recordedSteps[venueId]?.first {
                // Its intents were committed with the incident.
                recordedSteps[venueId]?.removeFirst()
                startSends(recorded, venueId: venueId, into: &group)
                return
            }
            let planned = batches.map { batch in (batch: batch, attempts: attempts(venueId, batch.targets)) }
            group.addTask {
                // Intent before action: every intent of this step in one commit, before any request is sent.
                do {
                    let ids = try await store.recordIntents(incidentId: incidentId, venueId: venueId, kind: "batch-cancel",
                                                            requests: planned.map { ($0.attempts.values.max() ?? 1, $0.batch.symbol, $0.batch.targets) })
                    for _ in ids { crashPoint.intentCommitted() }
                    return .intentsRecorded(venueId: venueId, requests: zip(planned, ids).map {
                        RecordedRequest(batch: $0.batch, attempts: $0.attempts, intentId: $1)
                    })
                } catch {
                    // Never send what was not written down first: the orders go back to the machine as retryable,
                    // one answer per batch (the machine counts each batch it handed out).
                    logger.error("could not record intents; not sending", metadata: ["incident": "\(incidentId)", "venue": "\(venueId)", "error": "\(error)"])
                    return .notSent(venueId: venueId, batches: planned.map { item in
                        item.batch.targets.map { OrderCancelOutcome(target: $0, kind: .retryable, message: "intent not recorded: \(error)") }
                    })
                }
            }
        case .cancelAll(let symbol):
            group.addTask {
                await Self.cancelAll(symbol: symbol, venueId: venueId, incidentId: incidentId, client: client, store: store, limits: limits, crashPoint: crashPoint,
                                     stop: stop, metrics: metrics, logger: logger)
            }
        case .wholesale(let symbol):
            progress.requestSent(venueId: venueId)
            group.addTask {
                await Self.wholesale(symbol: symbol, venueId: venueId, incidentId: incidentId, client: client, store: store, crashPoint: crashPoint,
                                     stop: stop, metrics: metrics, logger: logger)
            }
        case .list(let purpose):
            guard let venue = venues[venueId] else { return }
            let listing = ScopedListing(venue: venue, scope: scope)
            group.addTask {
                await Self.list(purpose, listing: listing, incidentId: incidentId, client: client, store: store, limits: limits, crashPoint: crashPoint,
                                stop: stop, metrics: metrics, logger: logger)
            }
        case .scheduleRetry(let attempt):
            let delay = policy.delay(attempt: attempt, unit: Double.random(in: 0..<1))
            group.addTask {
                // Exact (tolerance zero), as every wait on the cancel path: no timer coalescing.
                do { try await clock.sleep(for: delay, tolerance: .zero) } catch { return nil }
                return .retryDue(venueId: venueId)
            }
        case .scheduleVerify(let attempt):
            let delay = policy.delay(attempt: attempt, unit: Double.random(in: 0..<1))
            group.addTask {
                do { try await clock.sleep(for: delay, tolerance: .zero) } catch { return nil }
                return .verifyDue(venueId: venueId)
            }
        case .recordVerified, .recordNamed:
            break
        case .finished(let result):
            logFinished(result, venueId: venueId)
        }
    }

    private func logFinished(_ result: VenueCancelResult, venueId: String) {
        logger.log(level: result.flat ? .info : .error, "venue finished", metadata: [
            "incident": "\(incident.id)", "venue": "\(venueId)", "flat": "\(result.flat)", "remaining": "\(result.remaining.count)",
            "problem": "\(result.problem ?? "-")",
        ])
    }

    /// Takes the venue's token for a request whose intent is committed, sends it, records the answer.
    private static func sendBatch(_ request: RecordedRequest, incidentId: Int64, client: any VenueClient, store: Store, limits: VenueRateLimits,
                                  progress: IncidentProgress, crashPoint: CrashPoint, stop: FanOutStop, metrics: KillSwitchMetrics?, logger: Logger) async -> Completion {
        let batch = request.batch, intentId = request.intentId, attempts = request.attempts
        if stop.isSet {
            // Re-armed while this request waited for its turn: it never leaves, and its intent says so.
            _ = try? await store.recordAnswer(incidentId: incidentId, intentId: intentId, httpStatus: nil, venueCode: nil, rawBody: "", latencyNanoseconds: 0,
                                              transportError: "not sent: scope re-armed", outcomes: [], attempts: attempts)
            return .stopped
        }
        progress.requestSent(venueId: batch.venueId)
        // The client takes the request's budget (and tells the limits what the answer said about them).
        let result = await client.cancel(batch)
        do {
            try await store.recordAnswer(incidentId: incidentId, intentId: intentId, httpStatus: result.httpStatus, venueCode: result.venueCode, rawBody: result.rawBody,
                                         latencyNanoseconds: result.latencyNanoseconds, transportError: result.transportError, outcomes: result.outcomes, attempts: attempts)
            metrics?.requestAnswered(venueId: batch.venueId, latencyNanoseconds: result.latencyNanoseconds, outcomes: result.outcomes)
        } catch {
            logger.error("could not record answer", metadata: ["incident": "\(incidentId)", "intent": "\(intentId)", "error": "\(error)"])
        }
        crashPoint.answerRecorded()
        progress.record(venueId: batch.venueId, outcomes: result.outcomes, latencyNanoseconds: result.latencyNanoseconds)
        return .batch(venueId: batch.venueId, outcomes: result.outcomes, refusedAsARequest: result.refusedAsARequest)
    }

    private static func cancelAll(symbol: String, venueId: String, incidentId: Int64, client: any VenueClient, store: Store, limits: VenueRateLimits,
                                  crashPoint: CrashPoint, stop: FanOutStop, metrics: KillSwitchMetrics?, logger: Logger) async -> Completion {
        do {
            if stop.isSet { return .stopped }
            let intentId = try await store.recordIntent(incidentId: incidentId, attempt: 1, venueId: venueId, symbol: symbol, kind: "cancel-all", targets: [])
            crashPoint.intentCommitted()
            logger.warning("escalating to cancel-all", metadata: ["incident": "\(incidentId)", "venue": "\(venueId)", "symbol": "\(symbol)"])
            let result = await client.cancelAll(symbol: symbol)
            try await store.recordAnswer(incidentId: incidentId, intentId: intentId, httpStatus: result.httpStatus, venueCode: result.venueCode, rawBody: result.rawBody,
                                         latencyNanoseconds: result.latencyNanoseconds, transportError: result.transportError, outcomes: [], attempts: [:])
            metrics?.requestAnswered(venueId: venueId, latencyNanoseconds: result.latencyNanoseconds, outcomes: [])
            return .cancelAll(venueId: venueId, symbol: symbol, kind: result.kind, reason: result.venueCode ?? result.transportError)
        } catch {
            return .cancelAll(venueId: venueId, symbol: symbol, kind: .retryable, reason: "\(error)")
        }
    }

    /// The plan's cancel-all (`CancelPlan.cancelAll`): intent first (kind `cancel-all-plan`, naming no orders:
    /// a listing after it settles them), through the same rate limits as every request.
    private static func wholesale(symbol: String?, venueId: String, incidentId: Int64, client: any VenueClient, store: Store, crashPoint: CrashPoint,
                                  stop: FanOutStop, metrics: KillSwitchMetrics?, logger: Logger) async -> Completion {
        do {
            if stop.isSet { return .stopped }
            let intentId = try await store.recordIntent(incidentId: incidentId, attempt: 1, venueId: venueId, symbol: symbol, kind: "cancel-all-plan", targets: [])
            crashPoint.intentCommitted()
            let result = if let symbol { await client.cancelAll(symbol: symbol) } else { await client.cancelAllOfEntry() }
            do {
                try await store.recordAnswer(incidentId: incidentId, intentId: intentId, httpStatus: result.httpStatus, venueCode: result.venueCode, rawBody: result.rawBody,
                                             latencyNanoseconds: result.latencyNanoseconds, transportError: result.transportError, outcomes: [], attempts: [:])
            } catch {
                logger.error("could not record a cancel-all's answer", metadata: ["incident": "\(incidentId)", "venue": "\(venueId)", "error": "\(error)"])
            }
            metrics?.requestAnswered(venueId: venueId, latencyNanoseconds: result.latencyNanoseconds, outcomes: [])
            return .wholesale(venueId: venueId, symbol: symbol, kind: result.kind, reason: result.venueCode ?? result.transportError, intentId: intentId, named: result.named)
        } catch {
            // The intent could not be written: nothing was sent, and the orders go by id.
            return .wholesale(venueId: venueId, symbol: symbol, kind: .retryable, reason: "intent not recorded: \(error)")
        }
    }

    private static func list(_ purpose: VenueCancelStateMachine.ListingPurpose, listing: ScopedListing, incidentId: Int64, client: any VenueClient,
                             store: Store, limits: VenueRateLimits, crashPoint: CrashPoint, stop: FanOutStop, metrics: KillSwitchMetrics?,
                             logger: Logger) async -> Completion {
        let venueId = listing.venue.id
        var intentId: Int64?
        let clock = ContinuousClock()
        let started = clock.now
        do {
            if stop.isSet { return .stopped }
            intentId = try await store.recordIntent(incidentId: incidentId, attempt: 1, venueId: venueId, symbol: listing.symbol, kind: "list-open", targets: [])
            crashPoint.intentCommitted()
            let (count, inScope, kept) = try await listing.fetch(client: client)
            await listing.reportUntracked(inScope, store: store, metrics: metrics)
            // From here on the venue has answered: nothing the store does can fail the listing.
            let adoption = await store.adoptListed(venueId: venueId, orders: inScope, incidentId: incidentId)
            ListingAdoptionLog.log(adoption, venueId: venueId, incidentId: incidentId, logger: logger)
            let listed = zip(adoption.targets, inScope).map { VenueCancelStateMachine.ListedOrder(target: $0, isCancelling: $1.isCancelling) }
            let elapsed = started.duration(to: clock.now)
            if let intentId {
                do {
                    try await store.recordAnswer(incidentId: incidentId, intentId: intentId, httpStatus: 200, venueCode: nil,
                                                 rawBody: "{\"purpose\":\"\(purpose.rawValue)\",\"open\":\(count),\"inScope\":\(inScope.count),\"kept\":\(kept)}",
                                                 latencyNanoseconds: elapsed.nanoseconds, transportError: nil, outcomes: [], attempts: [:])
                    metrics?.requestAnswered(venueId: venueId, latencyNanoseconds: elapsed.nanoseconds, outcomes: [])
                } catch {
                    logger.error("could not record a listing's answer", metadata: ["incident": "\(incidentId)", "venue": "\(venueId)", "error": "\(error)"])
                }
            }
            return .listed(venueId: venueId, purpose: purpose, orders: listed, verified: intentId)
        } catch {
            let answerError = error as? VenueAnswerError
            let kind = answerError?.kind ?? .retryable
            if let intentId {
                let latency = started.duration(to: clock.now).nanoseconds
                if (try? await store.recordAnswer(incidentId: incidentId, intentId: intentId, httpStatus: answerError?.httpStatus, venueCode: answerError?.venueCode,
                                                  rawBody: "", latencyNanoseconds: latency, transportError: "\(error)", outcomes: [], attempts: [:])) != nil {
                    metrics?.requestAnswered(venueId: venueId, latencyNanoseconds: latency, outcomes: [])
                }
            }
            logger.warning("open-order listing failed", metadata: ["incident": "\(incidentId)", "venue": "\(venueId)", "error": "\(error)"])
            return .listingFailed(venueId: venueId, purpose: purpose, kind: kind, reason: "\(error)")
        }
    }
}

/// Set once when a fan-out's scope is re-armed; read before every send, listing and cancel-all.
final class FanOutStop: Sendable {
    private let flag = Mutex(false)

    var isSet: Bool { flag.withLock { $0 } }

    func set() { flag.withLock { $0 = true } }
}
