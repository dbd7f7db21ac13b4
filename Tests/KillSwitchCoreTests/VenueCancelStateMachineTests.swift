import Foundation
import Testing
@testable import KillSwitchCore

@Suite struct VenueCancelStateMachineTests {
    typealias Machine = VenueCancelStateMachine

    static func target(_ id: Int64, symbol: String = "BTCUSDT") -> CancelTarget {
        CancelTarget(orderId: id, symbol: symbol, venueOrderId: "v\(id)", clientOrderId: nil)
    }

    static func machine(_ count: Int, kind: VenueKind = .binanceCoinM, symbols: [String] = ["BTCUSDT"], scope: String? = nil, escalateAfter: Int = 3,
                        wholesale: WholesaleCancel = .allowed) -> Machine {
        Machine(venueId: "v", kind: kind, symbolScope: scope, escalateAfter: escalateAfter,
                orders: (1...count).map { PlannedOrder(target: target(Int64($0), symbol: symbols[$0 % symbols.count])) }, wholesale: wholesale)
    }

    static func sent(_ actions: [Machine.Action]) -> [CancelBatch] {
        actions.flatMap { action -> [CancelBatch] in
            if case .send(let batches) = action { return batches }
            return []
        }
    }

    static func answer(_ batch: CancelBatch, _ kind: CancelOutcomeKind) -> [OrderCancelOutcome] {
        batch.targets.map { OrderCancelOutcome(target: $0, kind: kind) }
    }

    static func listed(_ ids: [Int64], cancelling: Bool = false, symbol: String = "BTCUSDT") -> [Machine.ListedOrder] {
        ids.map { Machine.ListedOrder(target: target($0, symbol: symbol), isCancelling: cancelling) }
    }

    @Test func happyPathSendsEverythingThenListsOnceAndEndsFlat() {
        var m = Self.machine(25)
        let start = m.start()
        let batches = Self.sent(start)
        #expect(batches.count == 3)
        #expect(start.count == 1)
        var last: [Machine.Action] = []
        for batch in batches { last = m.batchAnswered(Self.answer(batch, .cancelled)) }
        #expect(last == [.list(.final)])
        let end = m.listed(.final, open: [])
        guard case .finished(let result)? = end.last else { Issue.record("expected finished, got \(end)"); return }
        #expect(result.flat)
        #expect(result.outcomeCounts[.cancelled] == 25)
        #expect(m.isFinished)
    }

    @Test func noFinalListingWhileAnythingIsInFlight() {
        var m = Self.machine(20)
        let batches = Self.sent(m.start())
        #expect(m.batchAnswered(Self.answer(batches[0], .cancelled)).isEmpty)
        #expect(m.batchAnswered(Self.answer(batches[1], .cancelled)) == [.list(.final)])
    }

    @Test func retryableOrdersAreRetriedAfterBackoffAsANewAttempt() {
        var m = Self.machine(10)
        let batch = Self.sent(m.start())[0]
        let after = m.batchAnswered(Self.answer(batch, .retryable))
        #expect(after == [.scheduleRetry(attempt: 1)])
        #expect(m.attempts(of: 1) == 1)
        let retry = Self.sent(m.retryDue())
        #expect(retry.count == 1)
        #expect(retry[0].targets.count == 10)
        #expect(m.attempts(of: 1) == 2)
        #expect(m.batchAnswered(Self.answer(retry[0], .cancelled)) == [.list(.final)])
    }

    @Test func rateLimitedBacksOffBeforeTheResendWithoutCountingTowardEscalation() {
        var m = Self.machine(10, escalateAfter: 1)
        let batch = Self.sent(m.start())[0]
        let actions = m.batchAnswered(Self.answer(batch, .rateLimited))
        #expect(!actions.contains(.cancelAll(symbol: "BTCUSDT")))
        // Not at once: a venue that keeps refusing is backed off from (capped, by attempt), never hammered.
        #expect(actions == [.scheduleRetry(attempt: 1)])
        let resent = Self.sent(m.retryDue())
        #expect(resent.flatMap(\.targets).count == 10)
        #expect(m.attempts(of: 1) == 2)
        #expect(m.batchAnswered(Self.answer(resent[0], .rateLimited)) == [.scheduleRetry(attempt: 2)])
    }

    @Test func pendingIsVerifiedBeforeAnythingIsResent() {
        var m = Self.machine(3, kind: .htxSpot)
        let batch = Self.sent(m.start())[0]
        #expect(m.batchAnswered(Self.answer(batch, .pending)) == [.scheduleVerify(attempt: 1)])
        #expect(m.verifyDue() == [.list(.verify)])
        // 1 gone, 2 still cancelling, 3 still open and not cancelling.
        let actions = m.listed(.verify, open: Self.listed([2], cancelling: true) + Self.listed([3]))
        #expect(actions.contains(.recordVerified([OrderCancelOutcome(target: Self.target(1), kind: .cancelled, message: "verified: not in the venue's open orders")])))
        let resent = Self.sent(actions)
        #expect(resent.flatMap(\.targets).map(\.orderId) == [3])
        #expect(actions.contains(.scheduleVerify(attempt: 1)))
    }

    @Test func unknownGoneIsAlreadyClosed() {
        var m = Self.machine(1)
        let batch = Self.sent(m.start())[0]
        _ = m.batchAnswered(Self.answer(batch, .unknown))
        _ = m.verifyDue()
        let actions = m.listed(.verify, open: [])
        #expect(actions.first == .recordVerified([OrderCancelOutcome(target: Self.target(1), kind: .alreadyClosed, message: "verified: not in the venue's open orders")]))
        #expect(actions.last == .list(.final))
    }

    @Test func escalatesASymbolToCancelAllAfterRepeatedFailures() {
        var m = Self.machine(4, symbols: ["A", "B"], escalateAfter: 2)
        var batches = Self.sent(m.start())
        #expect(batches.count == 2)
        let aBatch = batches.first { $0.symbol == "A" }!
        let bBatch = batches.first { $0.symbol == "B" }!
        _ = m.batchAnswered(Self.answer(bBatch, .cancelled))
        // A's request fails once (one failure, however many orders): retry, not escalation.
        #expect(m.batchAnswered(Self.answer(aBatch, .retryable)) == [.scheduleRetry(attempt: 1)])
        let retry = Self.sent(m.retryDue())
        #expect(retry.count == 1)
        // Second failure of A: failures(A) = 2 ≥ 2 → cancel-all for A only.
        let actions = m.batchAnswered(Self.answer(retry[0], .retryable))
        #expect(actions.contains(.cancelAll(symbol: "A")))
        #expect(!actions.contains(.cancelAll(symbol: "B")))
        batches = Self.sent(actions)
        #expect(batches.isEmpty)
        let after = m.cancelAllAnswered(symbol: "A", kind: .cancelled, reason: nil)
        #expect(after == [.scheduleVerify(attempt: 1)])
        _ = m.verifyDue()
        let end = m.listed(.verify, open: [])
        #expect(end.last == .list(.final))
    }

    @Test func anEscalationTheEligibilityCheckRefusesListsAndCancelsByIdInstead() {
        // Keep rules (or another entry on the venue account): the symbol's cancel-all would reach orders outside
        // the scope, so the escalation re-lists the symbol and re-sends what the venue shows, by id.
        for kind in [VenueKind.binanceCoinM, .gateFutures, .gateSpot, .htxSpot] {
            var m = Self.machine(2, kind: kind, symbols: ["A"], escalateAfter: 1, wholesale: .refused("venue v has keep rules"))
            let batch = Self.sent(m.start())[0]
            let actions = m.batchAnswered(Self.answer(batch, .retryable))
            #expect(!actions.contains { if case .cancelAll = $0 { true } else { false } }, "\(kind): \(actions)")
            #expect(actions.contains(.scheduleVerify(attempt: 1)))
            #expect(m.verifyDue() == [.list(.verify)])
            let resent = Self.sent(m.listed(.verify, open: Self.listed([1, 2], symbol: "A")))
            #expect(Set(resent.flatMap(\.targets).map(\.orderId)) == [1, 2])
        }
    }

    @Test func theDefaultIsNoCancelAllUntilEligibilityIsEstablished() {
        var m = Machine(venueId: "v", kind: .binanceCoinM, symbolScope: nil, escalateAfter: 1, orders: [PlannedOrder(target: Self.target(1, symbol: "A"))])
        #expect(!m.wholesale.isAllowed)
        let batch = Self.sent(m.start())[0]
        #expect(!m.batchAnswered(Self.answer(batch, .retryable)).contains(.cancelAll(symbol: "A")))
    }

    // MARK: The plan's cancel-all (auto)

    static func planned(_ count: Int, kind: VenueKind = .gateFutures, symbols: [String] = ["A", "B"], plan: CancelPlan = .cancelAll(.entry)) -> Machine {
        Machine(venueId: "v", kind: kind, symbolScope: nil, escalateAfter: 3,
                orders: (1...count).map { PlannedOrder(target: target(Int64($0), symbol: symbols[$0 % symbols.count])) }, wholesale: .allowed, plan: plan)
    }

    @Test func theCancelAllTakesEveryOrderAndAListingAfterItSettlesEachAndDecidesFlat() {
        var m = Self.planned(4)
        #expect(m.start() == [.wholesale(symbol: nil)], "one cancel-all, no batch")
        // Accepted: listed at once (no backoff); what the listing no longer shows is closedAfterCancelAll.
        #expect(m.wholesaleAnswered(symbol: nil, kind: .cancelled, reason: nil) == [.list(.verify)])
        let end = m.listed(.verify, open: [])
        guard case .recordVerified(let outcomes)? = end.first, case .finished(let result)? = end.last else { Issue.record("got \(end)"); return }
        #expect(outcomes.count == 4 && outcomes.allSatisfy { $0.kind == .closedAfterCancelAll })
        // That listing was made after every cancel, read whole, and shows nothing in scope: it is the flat one.
        #expect(result.flat && result.outcomeCounts[.closedAfterCancelAll] == 4)
    }

    @Test func ordersTheCancelAllsAnswerNamesAreCancelledOnItsWordAndTheRestWaitForTheListing() {
        var m = Self.planned(4)
        _ = m.start()
        // The answer names orders 1 and 3 (by venue order id): recorded now, against the cancel-all.
        let actions = m.wholesaleAnswered(symbol: nil, kind: .cancelled, reason: nil, named: [Self.target(1).venueOrderId!, Self.target(3).venueOrderId!])
        guard case .recordNamed(let named)? = actions.first else { Issue.record("got \(actions)"); return }
        #expect(Set(named.map(\.target.orderId)) == [1, 3] && named.allSatisfy { $0.kind == .cancelled })
        #expect(actions.contains(.list(.verify)), "2 and 4 are settled by a listing after it")
        let end = m.listed(.verify, open: [])
        guard case .recordVerified(let verified)? = end.first, case .finished(let result)? = end.last else { Issue.record("got \(end)"); return }
        #expect(Set(verified.map(\.target.orderId)) == [2, 4] && verified.allSatisfy { $0.kind == .closedAfterCancelAll })
        #expect(result.flat && result.outcomeCounts[.cancelled] == 2 && result.outcomeCounts[.closedAfterCancelAll] == 2)
    }

    @Test func aNamedOrderTheListingStillShowsIsCancelledById() {
        var m = Self.planned(2)
        _ = m.start()
        let all = [Self.target(1).venueOrderId!, Self.target(2).venueOrderId!]
        let actions = m.wholesaleAnswered(symbol: nil, kind: .cancelled, reason: nil, named: Set(all))
        // Everything named: no verification to wait for, the listing that decides flat goes out at once.
        #expect(actions.contains(.list(.final)))
        // The venue's word was wrong about order 2: still listed, so it is cancelled by id, and flat waits.
        let after = m.listed(.final, open: Self.listed([2], symbol: "A"))
        #expect(!after.contains { if case .finished = $0 { true } else { false } })
        #expect(m.isFinished == false)
        // Order 2 goes again, by id (now or at the retry round the machine schedules).
        let resent = Self.sent(after) + Self.sent(after.contains(.scheduleRetry(attempt: 1)) ? m.retryDue() : [])
        #expect(resent.flatMap(\.targets).map(\.orderId) == [2])
        // A named order is never taken on a refused cancel-all's word: its orders go by id.
        var refused = Self.planned(2)
        _ = refused.start()
        let byId = refused.wholesaleAnswered(symbol: nil, kind: .retryable, reason: "busy", named: Set(all))
        #expect(!byId.contains { if case .recordNamed = $0 { true } else { false } })
        #expect(Self.sent(byId).flatMap(\.targets).count == 2)
    }

    @Test func anOrderStillListedAfterTheCancelAllIsCancelledByIdAndFlatNeedsAnotherListing() {
        var m = Self.planned(3)
        _ = m.start()
        _ = m.wholesaleAnswered(symbol: nil, kind: .cancelled, reason: nil)
        let actions = m.listed(.verify, open: Self.listed([2], symbol: "A") + [Machine.ListedOrder(target: Self.target(99, symbol: "B"), isCancelling: false)])
        let resent = Self.sent(actions)
        #expect(resent.flatMap(\.targets).map(\.orderId) == [2], "by id, at once")
        #expect(!actions.contains { if case .finished = $0 { true } else { false } })
        #expect(m.batchAnswered(Self.answer(resent[0], .cancelled)) == [.list(.final)])
        // The final listing adopts what nobody tracked (99) and only then can it end flat.
        let adopt = Self.sent(m.listed(.final, open: [Machine.ListedOrder(target: Self.target(99, symbol: "B"), isCancelling: false)]))
        #expect(adopt.flatMap(\.targets).map(\.orderId) == [99])
    }

    @Test func underAutoAVerificationListingShowingNothingDecidesFlatByIdKeepsItsFinalListing() {
        for settles in [true, false] {
            var m = Machine(venueId: "v", kind: .htxSpot, symbolScope: nil, escalateAfter: 3, orders: [PlannedOrder(target: Self.target(1))],
                            wholesale: .allowed, plan: .byId, verifyListingMaySettle: settles)
            let batch = Self.sent(m.start())[0]
            _ = m.batchAnswered(Self.answer(batch, .pending))
            _ = m.verifyDue()
            let end = m.listed(.verify, open: [])
            if settles {
                guard case .finished(let result)? = end.last else { Issue.record("got \(end)"); continue }
                #expect(result.flat && result.outcomeCounts[.cancelled] == 1)
            } else {
                #expect(end.last == .list(.final), "by-id: exactly as before")
            }
        }
        // Never when something was sent after the listing was issued.
        var m = Machine(venueId: "v", kind: .htxSpot, symbolScope: nil, escalateAfter: 3, orders: [PlannedOrder(target: Self.target(1)), PlannedOrder(target: Self.target(2))],
                        wholesale: .allowed, plan: .byId, verifyListingMaySettle: true)
        #expect(Self.sent(m.start()).count == 1)
        _ = m.batchAnswered([OrderCancelOutcome(target: Self.target(1), kind: .pending), OrderCancelOutcome(target: Self.target(2), kind: .retryable)])
        #expect(m.verifyDue() == [.list(.verify)])
        _ = Self.sent(m.retryDue())  // order 2 re-sent while the listing is in flight
        let after = m.listed(.verify, open: [])
        #expect(!after.contains { if case .finished = $0 { true } else { false } })
    }

    @Test func aRefusedCancelAllLosesNothingItsOrdersGoById() {
        for refusal in [CancelOutcomeKind.rejected, .retryable, .rateLimited] {
            var m = Self.planned(4)
            _ = m.start()
            let batches = Self.sent(m.wholesaleAnswered(symbol: nil, kind: refusal, reason: "MISSING_REQUIRED_PARAM"))
            #expect(Set(batches.flatMap(\.targets).map(\.orderId)) == [1, 2, 3, 4], "\(refusal)")
        }
    }

    @Test func anUnansweredCancelAllIsSettledByTheListing() {
        var m = Self.planned(2)
        _ = m.start()
        #expect(m.wholesaleAnswered(symbol: nil, kind: .unknown, reason: "timeout") == [.list(.verify)])
        let end = m.listed(.verify, open: Self.listed([1], symbol: "B"))
        #expect(Self.sent(end).flatMap(\.targets).map(\.orderId) == [1])
        #expect(end.contains(.recordVerified([OrderCancelOutcome(target: Self.target(2, symbol: "A"), kind: .closedAfterCancelAll,
                                                                 message: "verified: not in the venue's open orders after the cancel-all")])))
    }

    @Test func perSymbolCancelAllsCoverTheirSymbolsOnlyTheRestGoById() {
        var m = Self.planned(4, kind: .binanceCoinM, symbols: ["A", "B"], plan: .cancelAll(.symbols(["A"])))
        let start = m.start()
        #expect(start.first == .wholesale(symbol: "A"))
        #expect(Set(Self.sent(start).flatMap(\.targets).map(\.symbol)) == ["B"])
    }

    @Test func rejectedCancelAllLeavesTheSymbolIncomplete() {
        var m = Self.machine(2, symbols: ["A"], escalateAfter: 1)
        let batch = Self.sent(m.start())[0]
        #expect(m.batchAnswered(Self.answer(batch, .retryable)).contains(.cancelAll(symbol: "A")))
        #expect(m.cancelAllAnswered(symbol: "A", kind: .rejected, reason: "-2015") == [.list(.final)])
        let end = m.listed(.final, open: Self.listed([1, 2], symbol: "A"))
        guard case .finished(let result)? = end.last else { Issue.record("got \(end)"); return }
        #expect(!result.flat)
        #expect(result.remaining.count == 2)
        #expect(result.remaining[0].reason.contains("cancel-all was rejected"))
    }

    @Test func rejectedOrdersEndIncompleteEvenWhenListingFails() {
        var m = Self.machine(5)
        let batch = Self.sent(m.start())[0]
        #expect(m.batchAnswered(Self.answer(batch, .rejected)) == [.list(.final)])
        let end = m.listingFailed(.final, kind: .rejected, reason: "-2015 invalid key")
        guard case .finished(let result)? = end.last else { Issue.record("got \(end)"); return }
        #expect(!result.flat)
        #expect(result.remaining.count == 5)
        #expect(result.outcomeCounts[.rejected] == 5)
    }

    @Test func finalListingCancelsOrdersNeverTrackedAndListsAgain() {
        var m = Self.machine(1)
        let batch = Self.sent(m.start())[0]
        _ = m.batchAnswered(Self.answer(batch, .cancelled))
        // The venue shows an order we never knew (id 99), inside scope.
        let actions = m.listed(.final, open: Self.listed([99]))
        let sent = Self.sent(actions)
        #expect(sent.flatMap(\.targets).map(\.orderId) == [99])
        #expect(m.batchAnswered(Self.answer(sent[0], .cancelled)) == [.list(.final)])
        guard case .finished(let result)? = m.listed(.final, open: []).last else { Issue.record("not finished"); return }
        #expect(result.flat)
    }

    @Test func finalListingIgnoresOrdersOutsideTheSymbolScope() {
        var m = Self.machine(1, scope: "BTCUSDT")
        let batch = Self.sent(m.start())[0]
        _ = m.batchAnswered(Self.answer(batch, .cancelled))
        let end = m.listed(.final, open: Self.listed([50], symbol: "ETHUSDT"))
        guard case .finished(let result)? = end.last else { Issue.record("got \(end)"); return }
        #expect(result.flat)
    }

    @Test func anOrderBelievedCancelledButStillListedIsSentAgain() {
        var m = Self.machine(1)
        let batch = Self.sent(m.start())[0]
        _ = m.batchAnswered(Self.answer(batch, .cancelled))
        let actions = m.listed(.final, open: Self.listed([1]))
        #expect(actions.contains(.recordVerified([OrderCancelOutcome(target: Self.target(1), kind: .unknown, message: "still open at the final listing")])))
        #expect(actions.contains(.scheduleRetry(attempt: 1)))
    }

    @Test func transientListingFailureIsRetried() {
        var m = Self.machine(1)
        let batch = Self.sent(m.start())[0]
        _ = m.batchAnswered(Self.answer(batch, .cancelled))
        #expect(m.listingFailed(.final, kind: .retryable, reason: "503") == [.scheduleVerify(attempt: 2)])
        #expect(m.verifyDue() == [.list(.verify)])
        #expect(m.listed(.verify, open: []) == [.list(.final)])
    }

    @Test func deadlineEndsIncompleteWithWhatIsLeft() {
        var m = Self.machine(3)
        _ = m.start()
        guard case .finished(let result)? = m.deadlineReached().last else { Issue.record("not finished"); return }
        #expect(!result.flat)
        #expect(result.remaining.count == 3)
        #expect(result.problem == "incident deadline reached")
        #expect(m.deadlineReached().isEmpty)
    }

    @Test func resumeVerifiesOrdersWhoseRequestWentUnanswered() {
        var m = Machine(venueId: "v", kind: .gateSpot, symbolScope: nil, escalateAfter: 3,
                        orders: [PlannedOrder(target: Self.target(1)), PlannedOrder(target: Self.target(2))],
                        previousAttempts: [1: 1], mustVerify: [1])
        let actions = m.start()
        #expect(Self.sent(actions).flatMap(\.targets).map(\.orderId) == [2])
        #expect(actions.contains(.scheduleVerify(attempt: 1)))
        #expect(m.attempts(of: 1) == 1)
        #expect(m.attempts(of: 2) == 1)
    }

    @Test func emptyVenueGoesStraightToTheFinalListing() {
        var m = Machine(venueId: "v", kind: .gateSpot, symbolScope: nil, escalateAfter: 3, orders: [])
        #expect(m.start() == [.list(.final)])
    }

    @Test func discoveredOrderIsCancelledOnSightEvenAfterFinish() {
        var m = Machine(venueId: "v", kind: .gateSpot, symbolScope: nil, escalateAfter: 3, orders: [])
        _ = m.start()
        _ = m.listed(.final, open: [])
        #expect(m.isFinished)
        let actions = m.discovered(PlannedOrder(target: Self.target(7))) ?? []
        #expect(Self.sent(actions).flatMap(\.targets).map(\.orderId) == [7])
        #expect(!m.isFinished)
    }

    @Test func anOrderLearnedAfterTheDeadlineIsNotTakenSoANewFanOutGetsAFreshDeadline() {
        var m = Self.machine(2)
        _ = m.start()
        _ = m.deadlineReached()
        #expect(m.isFinished)
        #expect(m.discovered(PlannedOrder(target: Self.target(9))) == nil)
        #expect(m.isFinished)
    }

    @Test func aVenueThatCannotBeWorkedEndsIncompleteWithItsReasonNeverFlat() {
        var m = Machine(venueId: "v", kind: .gateSpot, symbolScope: nil, escalateAfter: 3, orders: [PlannedOrder(target: Self.target(1))],
                        unavailable: "disabled in the configuration (enabled = false)")
        guard case .finished(let result)? = m.start().last else { Issue.record("not finished"); return }
        #expect(!result.flat)
        #expect(result.problem == "disabled in the configuration (enabled = false)")
        #expect(result.remaining.map(\.target.orderId) == [1])
        #expect(m.discovered(PlannedOrder(target: Self.target(2))) == nil)
    }

    @Test func anEmptyVenueThatCannotBeWorkedIsStillNotFlat() {
        var m = Machine(venueId: "v", kind: .bitgetMix, symbolScope: nil, escalateAfter: 3, orders: [], unavailable: "no venue client (no credentials)")
        guard case .finished(let result)? = m.start().last else { Issue.record("not finished"); return }
        #expect(!result.flat)
    }

    @Test func aKeepTryingAttemptGivesUpOnTheFirstListingFailure() {
        var m = Machine(venueId: "v", kind: .gateSpot, symbolScope: nil, escalateAfter: 3, orders: [], listingFailuresAllowed: 1)
        #expect(m.start() == [.list(.final)])
        guard case .finished(let result)? = m.listingFailed(.final, kind: .retryable, reason: "HTTP 503").last else { Issue.record("not finished"); return }
        #expect(!result.flat)
        #expect(result.problem == "open-order listing failed: HTTP 503")
    }

    @Test func aScopeSymbolInAnotherCaseStillSeesTheListedOrders() {
        var m = Self.machine(1, scope: "btcusdt")
        let batch = Self.sent(m.start())[0]
        _ = m.batchAnswered(Self.answer(batch, .cancelled))
        // The venue lists BTCUSDT (upper case): it is in scope, so the venue is not flat.
        let actions = m.listed(.final, open: Self.listed([40], symbol: "BTCUSDT"))
        #expect(!m.isFinished)
        #expect(Self.sent(actions).flatMap(\.targets).map(\.orderId) == [40])
    }

    @Test func bitgetEscalatesByListingAndCancellingTheListedIds() {
        // Bitget has no per-symbol cancel-all: a symbol whose batches keep failing is re-listed and its orders
        // re-sent by the ids the venue lists.
        var m = Machine(venueId: "v", kind: .bitgetMix, symbolScope: nil, escalateAfter: 1,
                        orders: [PlannedOrder(target: CancelTarget(orderId: 1, symbol: "BTCUSDT", venueOrderId: nil, clientOrderId: "stale-client-id"))])
        let batch = Self.sent(m.start())[0]
        let actions = m.batchAnswered(Self.answer(batch, .retryable))
        #expect(!actions.contains { if case .cancelAll = $0 { true } else { false } })
        #expect(actions.contains(.scheduleVerify(attempt: 1)))
        #expect(m.verifyDue() == [.list(.verify)])
        let resent = Self.sent(m.listed(.verify, open: [Machine.ListedOrder(target: CancelTarget(orderId: 1, symbol: "BTCUSDT", venueOrderId: "900", clientOrderId: nil), isCancelling: false)]))
        #expect(resent.flatMap(\.targets).map(\.venueOrderId) == ["900"])
    }

    @Test func aBatchRefusedAsAWholeIsResentOrderByOrderSoOneBadIdPoisonsNothing() {
        var m = Self.machine(3, kind: .gateSpot)
        let batch = Self.sent(m.start())[0]
        #expect(batch.targets.count == 3)
        let actions = m.batchAnswered(Self.answer(batch, .rejected), refusedAsARequest: true)
        let singles = Self.sent(actions)
        #expect(singles.count == 3)
        #expect(singles.allSatisfy { $0.targets.count == 1 })
        // Two go through; the third is refused on its own too: a listing decides (still there by another id?).
        _ = m.batchAnswered(Self.answer(singles[0], .cancelled))
        _ = m.batchAnswered(Self.answer(singles[1], .cancelled))
        let refused = m.batchAnswered(Self.answer(singles[2], .rejected))
        #expect(refused.contains(.scheduleVerify(attempt: 1)))
        #expect(m.verifyDue() == [.list(.verify)])
        // Listed open under the same id: sent once more, and refused again it is the venue's final word.
        let again = Self.sent(m.listed(.verify, open: [Machine.ListedOrder(target: singles[2].targets[0], isCancelling: false)]))
        #expect(again.count == 1)
        let last = m.batchAnswered(Self.answer(again[0], .rejected))
        guard last == [.list(.final)] else { Issue.record("after the second refusal: \(last)"); return }
        guard case .finished(let result)? = m.listed(.final, open: [Machine.ListedOrder(target: singles[2].targets[0], isCancelling: false)]).last else {
            Issue.record("not finished"); return
        }
        #expect(!result.flat)
        #expect(result.outcomeCounts[.cancelled] == 2)
        #expect(result.remaining.count == 1)
    }

    @Test func anOrderNoRequestCanNameGoesToTheListingInsteadOfHangingInFlight() {
        // A venue id the venue cannot take and no client id: only a listing can tell.
        let bad = CancelTarget(orderId: 1, symbol: "BTCUSD_PERP", venueOrderId: "abc", clientOrderId: nil).usable(by: .binanceCoinM)
        #expect(bad.wireId.isEmpty)
        var m = Machine(venueId: "v", kind: .binanceCoinM, symbolScope: nil, escalateAfter: 3,
                        orders: [PlannedOrder(target: bad), PlannedOrder(target: Self.target(2, symbol: "BTCUSD_PERP"))])
        let start = m.start()
        #expect(Self.sent(start).flatMap(\.targets).map(\.orderId) == [2])
        #expect(start.contains(.scheduleVerify(attempt: 1)))
        _ = m.verifyDue()
        let verified = m.listed(.verify, open: [])
        #expect(verified.first == .recordVerified([OrderCancelOutcome(target: bad, kind: .alreadyClosed, message: "verified: not in the venue's open orders")]))
    }

    @Test func notFoundByClientIdIsProvisionalUntilAListingConfirmsIt() {
        var m = Machine(venueId: "v", kind: .gateSpot, symbolScope: nil, escalateAfter: 3,
                        orders: [PlannedOrder(target: CancelTarget(orderId: 1, symbol: "BTC_USDT", venueOrderId: nil, clientOrderId: "t-old"))])
        let batch = Self.sent(m.start())[0]
        #expect(m.batchAnswered(Self.answer(batch, .alreadyClosed)) == [.scheduleVerify(attempt: 1)])
        _ = m.verifyDue()
        // Still listed (the venue forgot the client id, not the order): re-sent by the listed venue id.
        let resent = Self.sent(m.listed(.verify, open: [Machine.ListedOrder(target: CancelTarget(orderId: 1, symbol: "BTC_USDT", venueOrderId: "555", clientOrderId: "t-old"), isCancelling: false)]))
        #expect(resent.flatMap(\.targets).map(\.wireId) == ["555"])
    }
}

@Suite struct IncidentStateMachineTests {
    @Test func endsFlatOnlyWhenEveryVenueIsFlat() {
        let a = VenueCancelStateMachine(venueId: "a", kind: .gateSpot, symbolScope: nil, escalateAfter: 3, orders: [])
        let b = VenueCancelStateMachine(venueId: "b", kind: .htxSpot, symbolScope: nil, escalateAfter: 3, orders: [])
        var incident = IncidentStateMachine(incidentId: 1, venues: [a, b])
        #expect(incident.start() == [.venue("a", .list(.final)), .venue("b", .list(.final))])
        let first = incident.apply("a") { $0.listed(.final, open: []) }
        #expect(first.count == 1)
        #expect(!incident.isFinished)
        let second = incident.apply("b") { $0.listingFailed(.final, kind: .rejected, reason: "bad key") }
        guard case .incidentFinished(.incomplete, let results)? = second.last else { Issue.record("got \(second)"); return }
        #expect(results.map(\.venueId) == ["a", "b"])
        #expect(results[0].flat)
        #expect(!results[1].flat)
    }

    @Test func aVenueInScopeThatCannotBeWorkedMakesTheIncidentIncomplete() {
        let a = VenueCancelStateMachine(venueId: "a", kind: .gateSpot, symbolScope: nil, escalateAfter: 3, orders: [])
        let b = VenueCancelStateMachine(venueId: "b", kind: .htxSpot, symbolScope: nil, escalateAfter: 3, orders: [], unavailable: "no venue client (no credentials)")
        var incident = IncidentStateMachine(incidentId: 1, venues: [a, b])
        _ = incident.start()
        let end = incident.apply("a") { $0.listed(.final, open: []) }
        guard case .incidentFinished(.incomplete, let results)? = end.last else { Issue.record("got \(end)"); return }
        #expect(results.first { $0.venueId == "b" }?.problem == "no venue client (no credentials)")
    }

    @Test func noVenuesIsFlatAtOnce() {
        var incident = IncidentStateMachine(incidentId: 1, venues: [])
        #expect(incident.start() == [.incidentFinished(.flat, [])])
    }

    @Test func retryPolicyIsCappedExponentialWithJitter() {
        let policy = RetryPolicy(initial: .milliseconds(100), maximum: .seconds(1), jitter: 0.2)
        #expect(policy.delay(attempt: 1, unit: 0.5) == .milliseconds(100))
        #expect(policy.delay(attempt: 3, unit: 0.5) == .milliseconds(400))
        #expect(policy.delay(attempt: 10, unit: 0.5) == .seconds(1))
        #expect(policy.delay(attempt: 1, unit: 0) == .milliseconds(80))
        #expect(policy.delay(attempt: 1, unit: 1) == .milliseconds(120))
    }
}
