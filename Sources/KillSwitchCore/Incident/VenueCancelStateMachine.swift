import Foundation

/// One venue account's part of an incident, as a pure state machine: events in, actions out, no I/O.
/// The executor performs the actions (through the token bucket and the venue adapter), records
/// everything, and feeds the answers back.
///
/// Lifecycle: send every order in planned batches → classify answers → retry what is retryable with
/// backoff, verify what is pending or unknown against the venue's open-order list, escalate a symbol whose
/// batches keep failing to the venue's cancel-all for that symbol → when nothing is left to do, list open
/// orders once more and cancel anything still open in scope (also orders never tracked) → `flat` when a
/// final listing shows nothing open in scope, else `incomplete` with what is left and why.
public struct VenueCancelStateMachine: Sendable {
    public enum ListingPurpose: String, Sendable, Hashable {
        /// Confirm pending/unknown outcomes.
        case verify
        /// The end-of-incident sweep.
        case final
    }

    public enum Action: Sendable, Hashable {
        /// Send these batch cancels now (through the bucket, pipelined).
        case send([CancelBatch])
        /// Cancel every open order of one symbol (escalation; never wider than the incident's scope).
        case cancelAll(symbol: String)
        /// List the venue's open orders.
        case list(ListingPurpose)
        /// Call `retryDue()` after the policy's delay for this attempt.
        case scheduleRetry(attempt: Int)
        /// Call `verifyDue()` after the policy's delay for this attempt.
        case scheduleVerify(attempt: Int)
        /// Outcomes decided by a listing (absent after a cancel, or still open): record them.
        case recordVerified([OrderCancelOutcome])
        case finished(VenueCancelResult)
    }

    /// A listed open order inside the incident's scope, with the store's id for it (the executor adopts
    /// orders the tracker never knew before handing them over).
    public struct ListedOrder: Sendable, Hashable {
        public var target: CancelTarget
        public var isCancelling: Bool

        public init(target: CancelTarget, isCancelling: Bool) {
            self.target = target
            self.isCancelling = isCancelling
        }
    }

    enum OrderState: Sendable, Hashable {
        /// Waiting to be sent (attempts == 0: now; otherwise at the next retry).
        case queued
        case inFlight
        /// Pending or unknown: must be checked against the open-order list before any re-send.
        case needsVerify
        /// Covered by a cancel-all in flight.
        case awaitingCancelAll
        case done(CancelOutcomeKind)
        /// Cannot make progress (its venue refuses us); stays open, reported `incomplete`.
        case stuck(String)
    }

    struct Tracked: Sendable {
        var order: PlannedOrder
        var state: OrderState
        var attempts: Int
        var lastOutcome: CancelOutcomeKind?
        var lastReason: String?
        /// Send at the next opportunity without waiting for a retry round (verified still open).
        var immediate = false
    }

    public let venueId: String
    public let kind: VenueKind
    /// The incident's symbol scope, if any: listings are filtered to it.
    public let symbolScope: String?
    public let escalateAfter: Int

    var orders: [Int64: Tracked] = [:]
    var requestsInFlight = 0
    var listingInFlight: ListingPurpose?
    var cancelAllsInFlight: Set<String> = []
    var retryScheduled = false
    var verifyScheduled = false
    var listingFailures = 0
    var symbolFailures: [String: Int] = [:]
    var escalated: Set<String> = []
    var finished = false
    /// True once a final listing was asked for in the current sweep.
    var sweeping = false

    public init(venueId: String, kind: VenueKind, symbolScope: String?, escalateAfter: Int, orders: [PlannedOrder], previousAttempts: [Int64: Int] = [:], mustVerify: Set<Int64> = [], rejected: Set<Int64> = []) {
        self.venueId = venueId
        self.kind = kind
        self.symbolScope = symbolScope
        self.escalateAfter = max(1, escalateAfter)
        for order in orders {
            let id = order.target.orderId
            // On resume: a recorded rejection is not re-sent; a request sent but never answered is verified first.
            let state: OrderState = rejected.contains(id) ? .done(.rejected) : mustVerify.contains(id) ? .needsVerify : .queued
            self.orders[id] = Tracked(order: order, state: state, attempts: previousAttempts[id] ?? 0,
                                      lastOutcome: rejected.contains(id) ? .rejected : mustVerify.contains(id) ? .unknown : nil)
        }
    }

    public var isFinished: Bool { finished }

    /// Attempts so far for an order (the attempt number of its next request is this + 1).
    public func attempts(of orderId: Int64) -> Int { orders[orderId]?.attempts ?? 0 }

    // MARK: Events

    public mutating func start() -> [Action] {
        advance()
    }

    /// A batch's answer: one outcome per order of the batch.
    public mutating func batchAnswered(_ outcomes: [OrderCancelOutcome]) -> [Action] {
        requestsInFlight -= 1
        // One failed request counts once against its symbol, however many orders it carried.
        var failedSymbols: Set<String> = []
        for outcome in outcomes {
            guard var tracked = orders[outcome.target.orderId], tracked.state == .inFlight else { continue }
            tracked.lastOutcome = outcome.kind
            tracked.lastReason = outcome.message ?? outcome.venueCode
            switch outcome.kind {
            case .cancelled, .alreadyClosed, .rejected:
                tracked.state = .done(outcome.kind)
            case .pending:
                tracked.state = .needsVerify
            case .unknown:
                tracked.state = .needsVerify
                failedSymbols.insert(tracked.order.target.symbol)
            case .retryable:
                tracked.state = .queued
                failedSymbols.insert(tracked.order.target.symbol)
            case .rateLimited:
                // The executor has already emptied the venue's bucket and honoured its delay: re-send through
                // the bucket at once rather than adding a backoff on top.
                tracked.state = .queued
                tracked.immediate = true
            }
            orders[outcome.target.orderId] = tracked
        }
        for symbol in failedSymbols { symbolFailures[symbol, default: 0] += 1 }
        return advance()
    }

    public mutating func retryDue() -> [Action] {
        retryScheduled = false
        return advance(retryNow: true)
    }

    public mutating func verifyDue() -> [Action] {
        verifyScheduled = false
        guard !finished, listingInFlight == nil else { return advance() }
        listingInFlight = .verify
        return [.list(.verify)]
    }

    /// The venue's open orders (already filtered to this venue account; filtered here to the symbol scope).
    public mutating func listed(_ purpose: ListingPurpose, open: [ListedOrder]) -> [Action] {
        listingInFlight = nil
        listingFailures = 0
        let inScope = open.filter { symbolScope == nil || $0.target.symbol == symbolScope }
        var openById: [Int64: ListedOrder] = [:]
        for order in inScope { openById[order.target.orderId] = order }
        var verified: [OrderCancelOutcome] = []
        // Orders we were unsure of: gone means done; still open means send again.
        for (id, tracked) in orders where tracked.state == .needsVerify {
            var updated = tracked
            if let listedOrder = openById[id] {
                if listedOrder.isCancelling {
                    continue
                }
                updated.state = .queued
                updated.immediate = true
            } else {
                let kind: CancelOutcomeKind = tracked.lastOutcome == .pending ? .cancelled : .alreadyClosed
                updated.state = .done(kind)
                updated.lastOutcome = kind
                verified.append(OrderCancelOutcome(target: tracked.order.target, kind: kind, venueCode: nil, message: "verified: not in the venue's open orders"))
            }
            orders[id] = updated
        }
        var actions: [Action] = verified.isEmpty ? [] : [.recordVerified(verified)]
        if purpose == .final {
            sweeping = false
            // Anything still open in scope that we believed done (or never knew) goes back in the queue.
            var reopened: [OrderCancelOutcome] = []
            for listedOrder in inScope {
                let id = listedOrder.target.orderId
                if var tracked = orders[id] {
                    switch tracked.state {
                    case .done(.cancelled), .done(.alreadyClosed):
                        tracked.state = listedOrder.isCancelling ? .needsVerify : .queued
                        tracked.lastOutcome = .unknown
                        reopened.append(OrderCancelOutcome(target: tracked.order.target, kind: .unknown, message: "still open at the final listing"))
                        orders[id] = tracked
                    default:
                        break
                    }
                } else {
                    orders[id] = Tracked(order: PlannedOrder(target: listedOrder.target), state: listedOrder.isCancelling ? .needsVerify : .queued, attempts: 0, lastOutcome: listedOrder.isCancelling ? .pending : nil)
                }
            }
            if !reopened.isEmpty { actions.append(.recordVerified(reopened)) }
            let stillOpen = inScope.filter { listed in
                switch orders[listed.target.orderId]?.state {
                case .done(.rejected)?, .stuck?: false
                default: true
                }
            }
            if stillOpen.isEmpty {
                finished = true
                return actions + [.finished(result(listingShowedFlat: true))]
            }
        }
        return actions + advance()
    }

    /// A listing failed: `kind` classifies the failure.
    public mutating func listingFailed(_ purpose: ListingPurpose, kind: CancelOutcomeKind, reason: String) -> [Action] {
        listingInFlight = nil
        listingFailures += 1
        if kind == .rejected {
            // We can't see the venue: nothing we're unsure of can be confirmed.
            for (id, tracked) in orders where tracked.state == .needsVerify {
                orders[id]?.state = .stuck("cannot verify: open-order listing rejected (\(reason))")
            }
            if purpose == .final {
                sweeping = false
                finished = true
                return [.finished(result(listingShowedFlat: false, listingProblem: "final listing rejected: \(reason)"))]
            }
            return advance()
        }
        if purpose == .final { sweeping = false }
        verifyScheduled = true
        return [.scheduleVerify(attempt: listingFailures + 1)]
    }

    public mutating func cancelAllAnswered(symbol: String, kind: CancelOutcomeKind, reason: String?) -> [Action] {
        cancelAllsInFlight.remove(symbol)
        for (id, tracked) in orders where tracked.state == .awaitingCancelAll && tracked.order.target.symbol == symbol {
            switch kind {
            case .cancelled, .alreadyClosed, .pending, .unknown:
                orders[id]?.state = .needsVerify
                orders[id]?.lastOutcome = kind == .unknown ? .unknown : .pending
            case .rejected:
                orders[id]?.state = .stuck("batch cancels kept failing and cancel-all was rejected: \(reason ?? "rejected")")
            case .retryable, .rateLimited:
                orders[id]?.state = .queued
                escalated.remove(symbol)
                symbolFailures[symbol] = 0
            }
        }
        return advance()
    }

    /// An order learned while the scope is tripped: cancel it on sight.
    public mutating func discovered(_ order: PlannedOrder) -> [Action] {
        guard orders[order.target.orderId] == nil else { return [] }
        orders[order.target.orderId] = Tracked(order: order, state: .queued, attempts: 0)
        if finished {
            finished = false
        }
        return advance()
    }

    /// The incident's deadline passed: stop and report what is left.
    public mutating func deadlineReached() -> [Action] {
        guard !finished else { return [] }
        finished = true
        return [.finished(result(listingShowedFlat: false, listingProblem: "incident deadline reached"))]
    }

    // MARK: Deciding what to do next

    /// Marks orders in flight and returns the batches for the queued orders that may go now.
    private mutating func takeQueued(includeRetries: Bool) -> [CancelBatch] {
        var ready: [PlannedOrder] = []
        for (id, tracked) in orders where tracked.state == .queued && (includeRetries || tracked.attempts == 0 || tracked.immediate) {
            ready.append(tracked.order)
            orders[id]?.state = .inFlight
            orders[id]?.attempts += 1
            orders[id]?.immediate = false
        }
        guard !ready.isEmpty else { return [] }
        let batches = CancelPlanner.batches(venueId: venueId, kind: kind, orders: ready)
        requestsInFlight += batches.count
        return batches
    }

    private mutating func advance(retryNow: Bool = false) -> [Action] {
        guard !finished else { return [] }
        var actions: [Action] = []
        // Escalate symbols whose batches keep failing, once each, to the venue's per-symbol cancel-all.
        for (symbol, failures) in symbolFailures.sorted(by: { $0.key < $1.key })
        where failures >= escalateAfter && !escalated.contains(symbol) {
            let affected = orders.filter { $0.value.order.target.symbol == symbol && ($0.value.state == .queued) }
            guard !affected.isEmpty else { continue }
            escalated.insert(symbol)
            cancelAllsInFlight.insert(symbol)
            for id in affected.keys { orders[id]?.state = .awaitingCancelAll }
            actions.append(.cancelAll(symbol: symbol))
        }
        let batches = takeQueued(includeRetries: retryNow)
        if !batches.isEmpty { actions.append(.send(batches)) }

        let states = orders.values.map(\.state)
        let hasQueuedRetries = states.contains(.queued)
        if hasQueuedRetries && !retryScheduled {
            retryScheduled = true
            let attempt = orders.values.filter { $0.state == .queued }.map(\.attempts).max() ?? 1
            actions.append(.scheduleRetry(attempt: max(1, attempt)))
        }
        let needsVerify = states.contains(.needsVerify)
        if needsVerify && !verifyScheduled && listingInFlight == nil {
            verifyScheduled = true
            actions.append(.scheduleVerify(attempt: listingFailures + 1))
        }
        let busy = requestsInFlight > 0 || listingInFlight != nil || !cancelAllsInFlight.isEmpty || retryScheduled || verifyScheduled
        let active = states.contains { state in
            switch state {
            case .queued, .inFlight, .needsVerify, .awaitingCancelAll: true
            case .done, .stuck: false
            }
        }
        if !busy && !active && !sweeping {
            sweeping = true
            listingInFlight = .final
            actions.append(.list(.final))
        }
        return actions
    }

    // MARK: Result

    func result(listingShowedFlat: Bool, listingProblem: String? = nil) -> VenueCancelResult {
        var remaining: [VenueCancelResult.Remaining] = []
        var counts: [CancelOutcomeKind: Int] = [:]
        for tracked in orders.values.sorted(by: { $0.order.target.orderId < $1.order.target.orderId }) {
            switch tracked.state {
            case .done(let kind):
                counts[kind, default: 0] += 1
                if kind == .rejected {
                    remaining.append(.init(target: tracked.order.target, lastOutcome: kind, reason: "rejected by the venue: \(tracked.lastReason ?? "no detail")"))
                }
            case .stuck(let reason):
                remaining.append(.init(target: tracked.order.target, lastOutcome: tracked.lastOutcome, reason: reason))
            case .queued, .inFlight, .needsVerify, .awaitingCancelAll:
                remaining.append(.init(target: tracked.order.target, lastOutcome: tracked.lastOutcome, reason: listingProblem ?? "not confirmed cancelled"))
            }
        }
        let flat = listingShowedFlat && remaining.isEmpty
        return VenueCancelResult(venueId: venueId, flat: flat, remaining: remaining, outcomeCounts: counts, problem: flat ? nil : (listingProblem ?? (remaining.isEmpty ? nil : "orders left open")))
    }
}

/// How one venue account's part of an incident ended.
public struct VenueCancelResult: Sendable, Hashable {
    public struct Remaining: Sendable, Hashable {
        public var target: CancelTarget
        public var lastOutcome: CancelOutcomeKind?
        public var reason: String
    }

    public var venueId: String
    /// A final listing showed nothing open in scope and nothing was left behind.
    public var flat: Bool
    public var remaining: [Remaining]
    public var outcomeCounts: [CancelOutcomeKind: Int]
    public var problem: String?
}
