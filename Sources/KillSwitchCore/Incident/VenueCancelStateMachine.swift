import Foundation

/// One venue account's part of an incident, as a pure state machine: events in, actions out, no I/O.
/// The executor performs the actions (through the rate limiter and the venue adapter), records
/// everything, and feeds the answers back.
///
/// Lifecycle, one explicit `Phase` at a time:
/// - `draining`: send every order in planned batches → classify answers → retry what is retryable with
///   backoff, verify what is pending or unknown against the venue's open-order list, escalate a symbol whose
///   batches keep failing (the venue's cancel-all for that symbol, or — where the venue has none — a fresh
///   listing whose ids are cancelled) → when nothing is left to do, list the venue once more:
/// - `sweeping`: that final listing is in flight. Anything still open in scope (also orders never tracked)
///   goes back to `draining`; nothing open in scope ends the venue `flat`.
/// - `finished`: `flat` only when a listing made after the last cancel — every page read — showed nothing
///   open in scope and nothing was left behind; otherwise `incomplete` with what is left and why. A venue
///   that cannot be reached at all (no client, disabled) starts and ends here.
///
/// Events that cannot happen in a phase (an answer with nothing in flight, a listing for a purpose not in
/// flight) are programming errors: they assert in debug builds and are ignored in release.
public struct VenueCancelStateMachine: Sendable {
    public enum ListingPurpose: String, Sendable, Hashable {
        /// Confirm pending/unknown outcomes (and refresh targets of escalated symbols).
        case verify
        /// The sweep that decides `flat`.
        case final
    }

    public enum Phase: Sendable, Hashable {
        case draining
        case sweeping
        case finished
    }

    public enum Action: Sendable, Hashable {
        /// Send these batch cancels now (through the rate limiter, pipelined).
        case send([CancelBatch])
        /// Cancel every open order of one symbol (escalation; never wider than the incident's scope).
        case cancelAll(symbol: String)
        /// The plan's cancel-all (`CancelPlan.cancelAll`): one symbol, or the whole entry when nil.
        case wholesale(symbol: String?)
        /// List the venue's open orders.
        case list(ListingPurpose)
        /// Call `retryDue()` after the policy's delay for this attempt.
        case scheduleRetry(attempt: Int)
        /// Call `verifyDue()` after the policy's delay for this attempt.
        case scheduleVerify(attempt: Int)
        /// Outcomes decided by a listing (absent after a cancel, or still open): record them.
        case recordVerified([OrderCancelOutcome])
        /// Outcomes the plan's cancel-all answer named (the venue's own word): record them against that request.
        case recordNamed([OrderCancelOutcome])
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

        var isActive: Bool {
            switch self {
            case .queued, .inFlight, .needsVerify, .awaitingCancelAll: true
            case .done, .stuck: false
            }
        }
    }

    struct Tracked: Sendable {
        var order: PlannedOrder
        var state: OrderState
        var attempts: Int
        var lastOutcome: CancelOutcomeKind?
        var lastReason: String?
        /// Send at the next opportunity without waiting for a retry round (verified still open).
        var immediate = false
        /// Refused once already in a request of its own.
        var rejectedAlone = false
        /// Taken by the plan's cancel-all: a listing after it settles the order (`closedAfterCancelAll`).
        var viaWholesale = false
        /// Listings that still showed it after a cancel-all the venue only "submitted" (HTX works through it
        /// asynchronously): up to `cancelAllSettleChecks`, then it is cancelled by id.
        var settleChecks = 0
    }

    public let venueId: String
    public let kind: VenueKind
    /// The incident's symbol scope, if any: listings are filtered to it (in the kind's canonical form).
    public let symbolScope: String?
    public let escalateAfter: Int
    /// Give up (finish `incomplete`) after this many listing failures in a row; nil: keep listing until the
    /// deadline. Keep-trying attempts give up early: the next attempt comes after a backoff anyway.
    public let listingFailuresAllowed: Int?
    /// Whether this entry may be cancelled wholesale (`WholesaleCancel`): escalating a symbol to the venue's
    /// cancel-all passes this check; refused, the symbol is re-listed and its listed ids cancelled instead.
    public let wholesale: WholesaleCancel
    /// How the entry's orders are taken off: by id, or the plan's cancel-all first.
    public let plan: CancelPlan
    /// Whether a verification listing that shows nothing in scope may decide `flat` (it was made after every
    /// cancel, every page read): `strategy = "auto"`. `by-id` keeps its separate final listing, as it always had.
    public let verifyListingMaySettle: Bool
    /// How many listings may still show an order after a cancel-all the venue answered "submitted" before it is
    /// cancelled by id (each listing after the retry policy's delay).
    public static let cancelAllSettleChecks = 3

    public private(set) var phase: Phase = .draining
    var orders: [Int64: Tracked] = [:]
    var requestsInFlight = 0
    var listingInFlight: ListingPurpose?
    var cancelAllsInFlight: Set<String> = []
    /// The plan's cancel-alls in flight (nil: the whole entry's).
    var wholesaleInFlight: Set<String?> = []
    /// Counts every cancel request handed out, so a listing knows whether anything was sent after it was issued.
    var sendSerial = 0
    var listingIssuedAt = 0
    var retryScheduled = false
    var verifyScheduled = false
    var listingFailures = 0
    var symbolFailures: [String: Int] = [:]
    var escalated: Set<String> = []
    /// Set when the deadline ended this venue: nothing more is taken (a later order starts a new fan-out
    /// under a fresh deadline instead).
    public private(set) var deadlinePassed = false
    /// Why the venue cannot be worked at all (no client, disabled); it finishes `incomplete` at start.
    let unavailable: String?
    private var result: VenueCancelResult?

    public init(venueId: String, kind: VenueKind, symbolScope: String?, escalateAfter: Int, orders: [PlannedOrder], previousAttempts: [Int64: Int] = [:],
                mustVerify: Set<Int64> = [], rejected: Set<Int64> = [], unavailable: String? = nil, listingFailuresAllowed: Int? = nil,
                wholesale: WholesaleCancel = .refused("eligibility for a cancel-all not established"), plan: CancelPlan = .byId,
                verifyListingMaySettle: Bool = false) {
        self.venueId = venueId
        self.verifyListingMaySettle = verifyListingMaySettle || (wholesale.isAllowed && plan != .byId)
        self.wholesale = wholesale
        // A cancel-all is only ever planned where the one eligibility check allows it.
        self.plan = wholesale.isAllowed ? plan : .byId
        self.kind = kind
        self.symbolScope = symbolScope.map(kind.canonicalSymbol)
        self.escalateAfter = max(1, escalateAfter)
        self.unavailable = unavailable
        self.listingFailuresAllowed = listingFailuresAllowed.map { max(1, $0) }
        for order in orders {
            let id = order.target.orderId
            // On resume: a recorded rejection is not re-sent; a request sent but never answered is verified first.
            let state: OrderState = rejected.contains(id) ? .done(.rejected) : mustVerify.contains(id) ? .needsVerify : .queued
            self.orders[id] = Tracked(order: order, state: state, attempts: previousAttempts[id] ?? 0,
                                      lastOutcome: rejected.contains(id) ? .rejected : mustVerify.contains(id) ? .unknown : nil)
        }
    }

    public var isFinished: Bool { phase == .finished }

    /// Attempts so far for an order (the attempt number of its next request is this + 1).
    public func attempts(of orderId: Int64) -> Int { orders[orderId]?.attempts ?? 0 }

    /// Orders this venue's part has taken on (planned, listed or found since).
    public var trackedCount: Int { orders.count }

    /// Orders still to be settled (not cancelled, closed or stuck), for progress and status.
    public var outstanding: Int { orders.values.count { $0.state.isActive } }

    // MARK: Events

    public mutating func start() -> [Action] {
        if let unavailable {
            return finish(listingShowedFlat: false, problem: unavailable)
        }
        guard case .cancelAll(let reach) = plan else { return advance() }
        // The plan's cancel-all takes every queued order it covers; the others go by id at once.
        let kind = self.kind
        updateEachTracked { _, tracked in
            guard tracked.state == .queued && reach.covers(tracked.order.target.symbol, kind: kind) else { return }
            tracked.state = .awaitingCancelAll
            tracked.viaWholesale = true
        }
        var actions: [Action] = []
        switch reach {
        case .entry:
            wholesaleInFlight.insert(nil)
            actions.append(.wholesale(symbol: nil))
        case .symbols(let symbols):
            for symbol in symbols.map(kind.canonicalSymbol) where wholesaleInFlight.insert(symbol).inserted {
                actions.append(.wholesale(symbol: symbol))
            }
        }
        sendSerial += actions.count
        return actions + advance()
    }

    /// The plan's cancel-all answered. Accepted: each order the answer names (`named`, venue order ids) is
    /// `cancelled` on the venue's word; every other order it covers waits for a listing made after it — gone is
    /// `closedAfterCancelAll`, still listed is cancelled by id. A named order a later listing still shows is
    /// cancelled by id too (the final listing reopens it). Refused or throttled: its orders go by id at once, so
    /// a refused cancel-all loses nothing.
    public mutating func wholesaleAnswered(symbol: String?, kind outcome: CancelOutcomeKind, reason: String?, named: Set<String> = []) -> [Action] {
        guard wholesaleInFlight.remove(symbol) != nil else {
            assertionFailure("\(venueId): a cancel-all answer for \(symbol ?? "the entry") with none in flight")
            return []
        }
        guard phase != .finished else { return [] }
        var toVerify = false
        var answered: [OrderCancelOutcome] = []
        let kind = self.kind
        updateEachTracked { _, tracked in
            guard tracked.state == .awaitingCancelAll && tracked.viaWholesale
                && (symbol == nil || kind.canonicalSymbol(tracked.order.target.symbol) == symbol) else { return }
            if outcome == .cancelled, let venueOrderId = tracked.order.target.venueOrderId, named.contains(venueOrderId) {
                tracked.state = .done(.cancelled)
                tracked.lastOutcome = .cancelled
                answered.append(OrderCancelOutcome(target: tracked.order.target, kind: .cancelled, venueCode: nil, message: "named cancelled in the cancel-all's answer"))
                return
            }
            switch outcome {
            case .cancelled, .alreadyClosed, .closedAfterCancelAll, .unknown:
                tracked.state = .needsVerify
                tracked.lastOutcome = outcome == .unknown ? .unknown : .cancelled
                toVerify = true
            case .pending:
                // Submitted, worked through by the venue: listed after the policy's delay, not at once.
                tracked.state = .needsVerify
                tracked.lastOutcome = .pending
            case .rejected, .retryable, .rateLimited:
                tracked.state = .queued
                tracked.immediate = true
                tracked.viaWholesale = false
                tracked.lastOutcome = outcome
                tracked.lastReason = "cancel-all \(outcome.rawValue): \(reason ?? "no detail"); cancelling by id"
            }
        }
        var actions: [Action] = answered.isEmpty ? [] : [.recordNamed(answered)]
        // Listed at once (no backoff): the listing is what settles the cancel-all's orders.
        if toVerify && listingInFlight == nil && !verifyScheduled {
            listingInFlight = .verify
            listingIssuedAt = sendSerial
            actions.append(.list(.verify))
        }
        return actions + advance()
    }

    /// A batch's answer: one outcome per order of the batch. `refusedAsARequest`: the venue refused the request
    /// as a whole for a reason that may be one of its orders (`CancelRequestResult.refusedAsARequest`); its
    /// orders are then sent again one by one, so one bad order poisons nothing.
    public mutating func batchAnswered(_ outcomes: [OrderCancelOutcome], refusedAsARequest: Bool = false) -> [Action] {
        guard requestsInFlight > 0 else {
            assertionFailure("\(venueId): a batch answer with no request in flight")
            return []
        }
        requestsInFlight -= 1
        guard phase != .finished else { return [] }
        // One failed request counts once against its symbol, however many orders it carried.
        var failedSymbols: Set<String> = []
        // A request of several orders refused as a whole (one unbuildable id, a venue rejecting the request)
        // must not poison its other orders: each is sent again in a request of its own.
        let refusedWhole = refusedAsARequest && outcomes.count > 1
        for outcome in outcomes {
            guard var tracked = orders[outcome.target.orderId], tracked.state == .inFlight else { continue }
            tracked.lastOutcome = outcome.kind
            tracked.lastReason = outcome.message ?? outcome.venueCode
            switch outcome.kind {
            case .rejected where refusedWhole:
                tracked.order.alone = true
                tracked.state = .queued
                tracked.immediate = true
            case .rejected where tracked.order.alone && !tracked.rejectedAlone:
                // Refused on its own too: perhaps an id the venue cannot take. A listing shows whether the order
                // is still there and by which id; refused again after that, it is the venue's final word.
                tracked.rejectedAlone = true
                tracked.state = .needsVerify
            case .alreadyClosed where tracked.order.target.usesClientId:
                // "Not found" by client id may only mean the venue forgot the id (Gate spot keeps a text id 30
                // minutes): provisional until a listing confirms the order is gone.
                tracked.state = .needsVerify
            case .cancelled, .alreadyClosed, .closedAfterCancelAll, .rejected:
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
                // The venue's pool is already held for its delay; the re-send also backs off (capped,
                // exponential by attempt), so a venue that keeps refusing is not hammered into a ban. Not a
                // failure of the symbol: no escalation.
                tracked.state = .queued
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
        guard phase != .finished, listingInFlight == nil else { return advance() }
        listingInFlight = .verify
        listingIssuedAt = sendSerial
        return [.list(.verify)]
    }

    /// The venue's open orders in scope (every page read; the executor filters with `TripScope`, and this
    /// checks the symbol scope once more).
    public mutating func listed(_ purpose: ListingPurpose, open: [ListedOrder]) -> [Action] {
        guard listingInFlight == purpose else {
            assertionFailure("\(venueId): a \(purpose) listing answered while \(listingInFlight.map(\.rawValue) ?? "none") was in flight")
            return []
        }
        listingInFlight = nil
        listingFailures = 0
        guard phase != .finished else { return [] }
        let inScope = open.filter { symbolScope == nil || kind.canonicalSymbol($0.target.symbol) == symbolScope }
        var openById: [Int64: ListedOrder] = [:]
        for order in inScope { openById[order.target.orderId] = order }
        var verified: [OrderCancelOutcome] = []
        // Orders we were unsure of: gone means done; still open means send again — by the listed ids, which
        // the venue just showed (a client id it no longer knows, or a bad id, is replaced by the venue's).
        updateEachTracked { id, updated in
            guard updated.state == .needsVerify else { return }
            let tracked = updated
            if let listedOrder = openById[id] {
                if listedOrder.isCancelling { return }
                if tracked.viaWholesale && tracked.lastOutcome == .pending && tracked.settleChecks < Self.cancelAllSettleChecks {
                    // The venue took the cancel-all as submitted and may still be working through it.
                    updated.settleChecks += 1
                    return
                }
                updated.order.target = Self.refreshed(tracked.order.target, from: listedOrder.target)
                updated.state = .queued
                updated.immediate = true
                // Still listed after the cancel-all: by id from here on.
                updated.viaWholesale = false
            } else if tracked.viaWholesale {
                updated.state = .done(.closedAfterCancelAll)
                updated.lastOutcome = .closedAfterCancelAll
                verified.append(OrderCancelOutcome(target: tracked.order.target, kind: .closedAfterCancelAll, venueCode: nil,
                                                   message: "verified: not in the venue's open orders after the cancel-all"))
            } else {
                let kind: CancelOutcomeKind = tracked.lastOutcome == .pending ? .cancelled : .alreadyClosed
                updated.state = .done(kind)
                updated.lastOutcome = kind
                verified.append(OrderCancelOutcome(target: tracked.order.target, kind: kind, venueCode: nil, message: "verified: not in the venue's open orders"))
            }
        }
        var actions: [Action] = verified.isEmpty ? [] : [.recordVerified(verified)]
        if purpose == .verify, verifyListingMaySettle, settledByThisListing(inScope) {
            // A verification listing made after every cancel, with every page read, that shows nothing open in
            // scope is the listing `flat` needs — no second one.
            return actions + finish(listingShowedFlat: true, problem: nil)
        }
        if purpose == .final {
            phase = .draining
            // Anything still open in scope that we believed done (or never knew) goes back in the queue.
            var reopened: [OrderCancelOutcome] = []
            for listedOrder in inScope {
                let id = listedOrder.target.orderId
                if var tracked = orders[id] {
                    switch tracked.state {
                    case .done(.cancelled), .done(.alreadyClosed):
                        tracked.order.target = Self.refreshed(tracked.order.target, from: listedOrder.target)
                        tracked.state = listedOrder.isCancelling ? .needsVerify : .queued
                        tracked.lastOutcome = .unknown
                        reopened.append(OrderCancelOutcome(target: tracked.order.target, kind: .unknown, message: "still open at the final listing"))
                        orders[id] = tracked
                    default:
                        break
                    }
                } else {
                    orders[id] = Tracked(order: PlannedOrder(target: listedOrder.target), state: listedOrder.isCancelling ? .needsVerify : .queued, attempts: 0,
                                         lastOutcome: listedOrder.isCancelling ? .pending : nil)
                }
            }
            if !reopened.isEmpty { actions.append(.recordVerified(reopened)) }
            let stillOpen = inScope.contains { listed in
                switch orders[listed.target.orderId]?.state {
                case .done(.rejected)?, .stuck?: false
                default: true
                }
            }
            if !stillOpen {
                return actions + finish(listingShowedFlat: true, problem: nil)
            }
        }
        return actions + advance()
    }

    /// Whether a listing just answered can decide `flat`: it shows nothing open in scope, nothing was sent
    /// after it was issued, nothing is in flight and nothing is left to settle.
    private func settledByThisListing(_ inScope: [ListedOrder]) -> Bool {
        inScope.isEmpty && sendSerial == listingIssuedAt && requestsInFlight == 0 && cancelAllsInFlight.isEmpty && wholesaleInFlight.isEmpty
            && !retryScheduled && !orders.values.contains { $0.state.isActive }
    }

    /// A listing failed, was cut short, or could not be read: it decides nothing. `kind` classifies the failure.
    public mutating func listingFailed(_ purpose: ListingPurpose, kind: CancelOutcomeKind, reason: String) -> [Action] {
        guard listingInFlight == purpose else {
            assertionFailure("\(venueId): a \(purpose) listing failed while \(listingInFlight.map(\.rawValue) ?? "none") was in flight")
            return []
        }
        listingInFlight = nil
        listingFailures += 1
        guard phase != .finished else { return [] }
        if purpose == .final { phase = .draining }
        if kind == .rejected {
            // We can't see the venue: nothing we're unsure of can be confirmed.
            for (id, tracked) in orders where tracked.state == .needsVerify {
                orders[id]?.state = .stuck("cannot verify: open-order listing rejected (\(reason))")
            }
            if purpose == .final {
                return finish(listingShowedFlat: false, problem: "final listing rejected: \(reason)")
            }
            return advance()
        }
        if let allowed = listingFailuresAllowed, listingFailures >= allowed {
            return finish(listingShowedFlat: false, problem: "open-order listing failed: \(reason)")
        }
        verifyScheduled = true
        return [.scheduleVerify(attempt: listingFailures + 1)]
    }

    public mutating func cancelAllAnswered(symbol: String, kind: CancelOutcomeKind, reason: String?) -> [Action] {
        guard cancelAllsInFlight.remove(symbol) != nil else {
            assertionFailure("\(venueId): a cancel-all answer for \(symbol) with none in flight")
            return []
        }
        guard phase != .finished else { return [] }
        // The escalation's own orders: not those a planned cancel-all on the same symbol is still taking.
        updateEachTracked { _, tracked in
            guard tracked.state == .awaitingCancelAll && !tracked.viaWholesale && tracked.order.target.symbol == symbol else { return }
            switch kind {
            case .cancelled, .alreadyClosed, .closedAfterCancelAll, .pending, .unknown:
                tracked.state = .needsVerify
                tracked.lastOutcome = kind == .unknown ? .unknown : .pending
            case .rejected:
                tracked.state = .stuck("batch cancels kept failing and cancel-all was rejected: \(reason ?? "rejected")")
            case .retryable, .rateLimited:
                tracked.state = .queued
            }
        }
        if kind == .retryable || kind == .rateLimited {
            // Not taken: the symbol may escalate again.
            escalated.remove(symbol)
            symbolFailures[symbol] = 0
        }
        return advance()
    }

    /// An order learned while the scope is tripped: cancel it on sight. Returns nil when this venue's part
    /// ended at the deadline: the caller starts a new fan-out under a fresh deadline instead.
    public mutating func discovered(_ order: PlannedOrder) -> [Action]? {
        guard !deadlinePassed, unavailable == nil else { return nil }
        guard orders[order.target.orderId] == nil else { return [] }
        orders[order.target.orderId] = Tracked(order: order, state: .queued, attempts: 0)
        if phase == .finished {
            phase = .draining
            result = nil
        }
        return advance()
    }

    /// The incident's deadline passed: stop and report what is left.
    public mutating func deadlineReached() -> [Action] {
        deadlinePassed = true
        guard phase != .finished else { return [] }
        return finish(listingShowedFlat: false, problem: "incident deadline reached")
    }

    // MARK: Deciding what to do next

    /// A tracked target with what a listing taught about it: the venue's id, the listed symbol.
    static func refreshed(_ target: CancelTarget, from listed: CancelTarget) -> CancelTarget {
        CancelTarget(orderId: target.orderId, symbol: listed.symbol, venueOrderId: listed.venueOrderId ?? target.venueOrderId,
                     clientOrderId: listed.clientOrderId ?? target.clientOrderId)
    }

    /// Runs `body` on every tracked order in place. Writing `orders[id]` inside `for … in orders` would copy every
    /// tracked order on the first write (the loop holds the storage): thousands per answer on a large venue.
    private mutating func updateEachTracked(_ body: (Int64, inout Tracked) -> Void) {
        var index = orders.startIndex
        while index != orders.endIndex {
            body(orders.keys[index], &orders.values[index])
            orders.formIndex(after: &index)
        }
    }

    /// Marks orders in flight and returns the batches for the queued orders that may go now.
    private mutating func takeQueued(includeRetries: Bool) -> [CancelBatch] {
        var ready: [PlannedOrder] = []
        updateEachTracked { _, tracked in
            guard tracked.state == .queued && (includeRetries || tracked.attempts == 0 || tracked.immediate) else { return }
            guard !tracked.order.target.wireId.isEmpty else {
                // No id a request can carry (the planner dropped a venue id the venue cannot take, and there is
                // no client id): only a listing can show its real id, or that it is gone.
                tracked.state = .needsVerify
                return
            }
            ready.append(tracked.order)
            tracked.state = .inFlight
            tracked.attempts += 1
            tracked.immediate = false
        }
        guard !ready.isEmpty else { return [] }
        let batches = CancelPlanner.batches(venueId: venueId, kind: kind, orders: ready)
        requestsInFlight += batches.count
        sendSerial += batches.count
        return batches
    }

    private mutating func advance(retryNow: Bool = false) -> [Action] {
        guard phase != .finished else { return [] }
        var actions: [Action] = []
        // Escalate symbols whose batches keep failing, once each.
        for (symbol, failures) in symbolFailures.sorted(by: { $0.key < $1.key })
        where failures >= escalateAfter && !escalated.contains(symbol) {
            let affected = orders.filter { $0.value.order.target.symbol == symbol && $0.value.state == .queued }
            guard !affected.isEmpty else { continue }
            escalated.insert(symbol)
            // The one eligibility check: never a cancel-all wider than the scope, over another entry's orders,
            // or over kept orders.
            if kind.hasSymbolCancelAll && wholesale.isAllowed {
                cancelAllsInFlight.insert(symbol)
                sendSerial += 1
                for id in affected.keys { orders[id]?.state = .awaitingCancelAll }
                actions.append(.cancelAll(symbol: symbol))
            } else {
                // No cancel-all this narrow, or none allowed: list the venue, and re-send what is still open by
                // the listed ids.
                for id in affected.keys {
                    orders[id]?.state = .needsVerify
                    orders[id]?.lastOutcome = .unknown
                }
            }
        }
        let batches = takeQueued(includeRetries: retryNow)
        if !batches.isEmpty { actions.append(.send(batches)) }

        var hasQueued = false, needsVerify = false, active = false, maxQueuedAttempts = 1
        for tracked in orders.values {
            switch tracked.state {
            case .queued:
                hasQueued = true
                maxQueuedAttempts = max(maxQueuedAttempts, tracked.attempts)
            case .needsVerify: needsVerify = true
            default: break
            }
            if tracked.state.isActive { active = true }
        }
        if hasQueued && !retryScheduled {
            retryScheduled = true
            actions.append(.scheduleRetry(attempt: maxQueuedAttempts))
        }
        if needsVerify && !verifyScheduled && listingInFlight == nil {
            verifyScheduled = true
            actions.append(.scheduleVerify(attempt: listingFailures + 1))
        }
        let busy = requestsInFlight > 0 || listingInFlight != nil || !cancelAllsInFlight.isEmpty || !wholesaleInFlight.isEmpty || retryScheduled || verifyScheduled
        if !busy && !active {
            phase = .sweeping
            listingInFlight = .final
            listingIssuedAt = sendSerial
            actions.append(.list(.final))
        }
        return actions
    }

    // MARK: Result

    private mutating func finish(listingShowedFlat: Bool, problem: String?) -> [Action] {
        phase = .finished
        let result = makeResult(listingShowedFlat: listingShowedFlat, listingProblem: problem)
        self.result = result
        return [.finished(result)]
    }

    func makeResult(listingShowedFlat: Bool, listingProblem: String? = nil) -> VenueCancelResult {
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
        return VenueCancelResult(venueId: venueId, flat: flat, remaining: remaining, outcomeCounts: counts,
                                 problem: flat ? nil : (listingProblem ?? (remaining.isEmpty ? nil : "orders left open")))
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
