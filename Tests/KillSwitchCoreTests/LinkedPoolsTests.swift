import Synchronization
import Testing
@testable import KillSwitchCore

private func at(_ duration: Duration) -> ManualClock.Instant { .init(offset: duration) }

@Suite struct LinkedPoolsTests {
    @Test func theTighterPoolGovernsAndNothingIsHeldWhileWaiting() async throws {
        let clock = ManualClock()
        let endpoint = RateLimitPool(name: "endpoint", capacity: 10, window: .seconds(1), clock: clock)
        let account = RateLimitPool(name: "account", capacity: 2, window: .seconds(1), clock: clock)
        let plan = RateLimitPlan([.init(bucket: endpoint, cost: 1), .init(bucket: account, cost: 1)])
        #expect(plan.tryAcquire())
        #expect(plan.tryAcquire())
        #expect(!plan.tryAcquire())
        #expect(endpoint.level == 8)  // the failed try took nothing

        let taker = Task { try await plan.acquire() }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.seconds(1)))
        #expect(endpoint.level == 8)  // not held while waiting on the account pool
        #expect(endpoint.tryAcquire(cost: 8))  // others may use it meanwhile
        clock.advance(by: .seconds(1))
        #expect(try await taker.value == .seconds(1))
        #expect(endpoint.level == 9)  // the t = 0 grants left the window; this one is in it
        #expect(account.level == 1)
    }

    @Test func waitsForTheLongestOfThePoolsThenTakesAtomically() async throws {
        let clock = ManualClock()
        let a = RateLimitPool(name: "a", capacity: 10, window: .seconds(1), clock: clock)
        let b = RateLimitPool(name: "b", capacity: 4, window: .seconds(2), clock: clock)
        #expect(a.tryAcquire(cost: 10))
        #expect(b.tryAcquire(cost: 4))
        let plan = RateLimitPlan([.init(bucket: a, cost: 3), .init(bucket: b, cost: 1)])
        let taker = Task { try await plan.acquire() }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.seconds(2)), "b's window is the longer wait")
        clock.advance(by: .seconds(2))
        #expect(try await taker.value == .seconds(2))
        #expect(a.level == 7)
        #expect(b.level == 3)
    }

    @Test func linkedTakersDoNotOvertakeQueuedTakers() async throws {
        let clock = ManualClock()
        let shared = RateLimitPool(name: "shared", capacity: 1, window: .seconds(1), clock: clock)
        let other = RateLimitPool(name: "other", capacity: 10, window: .seconds(1), clock: clock)
        #expect(shared.tryAcquire())
        let queued = Task { try await shared.acquire() }
        await shared.waitForWaiters(count: 1)
        let plan = RateLimitPlan([.init(bucket: shared, cost: 1), .init(bucket: other, cost: 1)])
        let linked = Task { try await plan.acquire() }
        // The queued taker is served at 1 s, the linked one at 2 s.
        await clock.waitForSleepers(count: 2)
        #expect(clock.nextDeadline == at(.seconds(1)))
        clock.advance(by: .seconds(1))
        #expect(try await queued.value.waited == .seconds(1))
        await clock.waitForSleepers(count: 1)
        #expect(shared.waitingCount == 0)
        clock.advance(by: .seconds(1))
        #expect(try await linked.value == .seconds(2))
    }

    @Test func linkedBackgroundWaitsForTheReserveToClear() async throws {
        let clock = ManualClock()
        let a = RateLimitPool(name: "a", capacity: 10, window: .seconds(1), clock: clock)
        let b = RateLimitPool(name: "b", capacity: 10, window: .seconds(1), clock: clock)
        b.reserveForIncidents = true
        let plan = RateLimitPlan([.init(bucket: a, cost: 1), .init(bucket: b, cost: 1)])
        #expect(!plan.tryAcquire(priority: .background))
        #expect(plan.tryAcquire(priority: .cancel))
        let background = Task { try await plan.acquire(priority: .background) }
        clock.advance(by: .seconds(5))
        #expect(a.level == 10 && b.level == 10)
        b.reserveForIncidents = false
        _ = try await background.value
        #expect(a.level == 9 && b.level == 9)
    }

    @Test func cancellingALinkedTakerTakesNothing() async throws {
        let clock = ManualClock()
        let a = RateLimitPool(name: "a", capacity: 10, window: .seconds(1), clock: clock)
        let b = RateLimitPool(name: "b", capacity: 1, window: .seconds(1), clock: clock)
        #expect(b.tryAcquire())
        let plan = RateLimitPlan([.init(bucket: a, cost: 5), .init(bucket: b, cost: 1)])
        let taker = Task { try await plan.acquire() }
        await clock.waitForSleepers(count: 1)
        taker.cancel()
        await #expect(throws: CancellationError.self) { try await taker.value }
        #expect(a.level == 10)
        #expect(clock.sleeperCount == 0)
    }

    @Test func samePoolTwiceAddsTheCosts() {
        let clock = ManualClock()
        let bucket = RateLimitPool(name: "b", capacity: 10, window: .seconds(1), clock: clock)
        let plan = RateLimitPlan([.init(bucket: bucket, cost: 3), .init(bucket: bucket, cost: 4)])
        #expect(plan.draws.count == 1)
        #expect(plan.draws[0].cost == 7)
        #expect(RateLimitPlan.unlimited.tryAcquire())
    }
}

@Suite struct VenueRateLimitsTests {
    @Test func bucketsPerVenueKind() throws {
        let clock = ManualClock()
        let limits = VenueRateLimits(clock: clock)
        limits.register(venueId: "gate-f", kind: .gateFutures, account: "g1")
        limits.register(venueId: "gate-s", kind: .gateSpot, account: "g1")
        limits.register(venueId: "htx", kind: .htxSpot, account: "h1")
        limits.register(venueId: "bitget", kind: .bitgetMix, account: "b1")
        limits.register(venueId: "bn-a", kind: .binanceCoinM, account: "a")
        limits.register(venueId: "bn-b", kind: .binanceCoinM, account: "b")

        // Gate: batch cancel and cancel-all share the 200/1 s cancel pool; spot and futures have their own.
        let gateCancel = limits.plan(venueId: "gate-f", operation: .batchCancel)
        #expect(gateCancel.draws.count == 1)
        #expect(gateCancel.draws[0].bucket === limits.plan(venueId: "gate-f", operation: .cancelAll).draws[0].bucket)
        #expect(gateCancel.draws[0].bucket !== limits.plan(venueId: "gate-s", operation: .batchCancel).draws[0].bucket)
        #expect(gateCancel.draws[0].bucket.capacity == 200)
        #expect(gateCancel.draws[0].bucket.window == .seconds(1))
        let gateList = limits.plan(venueId: "gate-f", operation: .openOrders(symbol: true)).draws[0].bucket
        #expect(gateList.capacity == 200 && gateList.window == .seconds(10))
        #expect(limits.plan(venueId: "gate-f", operation: .time).isUnlimited)

        // HTX and Bitget: one pool per endpoint.
        let htx = [VenueOperation.batchCancel, .cancelAll, .openOrders(symbol: false)].map {
            limits.plan(venueId: "htx", operation: $0).draws[0].bucket
        }
        #expect(Set(htx.map(ObjectIdentifier.init)).count == 3)
        #expect(htx.allSatisfy { $0.capacity == 50 && $0.window == .seconds(2) })
        let bitget = [VenueOperation.batchCancel, .cancelAll, .openOrders(symbol: true)].map {
            limits.plan(venueId: "bitget", operation: $0).draws[0].bucket
        }
        #expect(Set(bitget.map(ObjectIdentifier.init)).count == 3)
        #expect(bitget.allSatisfy { $0.capacity == 10 && $0.window == .seconds(1) })
        #expect(limits.plan(venueId: "htx", operation: .time).isUnlimited)

        // Binance: one weight pool per IP, shared by every Binance account, weighted costs.
        let a = limits.plan(venueId: "bn-a", operation: .batchCancel)
        let b = limits.plan(venueId: "bn-b", operation: .openOrders(symbol: false))
        #expect(a.draws[0].bucket === b.draws[0].bucket)
        #expect(a.draws[0].bucket.capacity == 2400 && a.draws[0].bucket.window == .seconds(60))
        #expect(b.draws[0].cost == 40)
        #expect(limits.plan(venueId: "bn-a", operation: .openOrders(symbol: true)).draws[0].cost == 1)
        #expect(limits.plan(venueId: "bn-a", operation: .countdown).draws[0].cost == 10)
        #expect(limits.plan(venueId: "bn-a", operation: .time).draws[0].cost == 1)
        #expect(limits.plan(venueId: "bn-a", operation: .exchangeInfo).draws[0].cost == 1)
        #expect(limits.plan(venueId: "unknown", operation: .batchCancel).isUnlimited)
    }

    @Test func sharedBinanceWeightAndLiveFigures() async throws {
        let clock = ManualClock()
        let limits = VenueRateLimits(clock: clock)
        limits.register(venueId: "bn-a", kind: .binanceCoinM, account: "a")
        limits.register(venueId: "bn-b", kind: .binanceCoinM, account: "b")
        for _ in 0..<60 { #expect(limits.plan(venueId: "bn-a", operation: .openOrders(symbol: false)).tryAcquire()) }
        #expect(!limits.plan(venueId: "bn-b", operation: .batchCancel).tryAcquire())
        limits.setBinanceWeightLimit(BucketLimit(capacity: 1200, window: .seconds(60)))
        let bucket = limits.plan(venueId: "bn-b", operation: .batchCancel).draws[0].bucket
        #expect(bucket.capacity == 1200)
        let taker = Task { try await limits.acquire(venueId: "bn-b", operation: .batchCancel) }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.seconds(60)))
        clock.advance(by: .seconds(60))
        #expect(try await taker.value == .seconds(60))
    }

    @Test func marginOverridesAndReserve() async throws {
        let clock = ManualClock()
        let limits = VenueRateLimits(clock: clock, safetyMargin: 0.1, overrides: ["bitget-mix/batch-cancel-orders": BucketLimit(capacity: 100, window: .seconds(1))])
        limits.register(venueId: "bitget", kind: .bitgetMix, account: "b1")
        let batch = limits.plan(venueId: "bitget", operation: .batchCancel).draws[0].bucket
        #expect(batch.capacity == 100 && batch.usableCapacity == 90)
        let pending = limits.buckets(venueId: "bitget")["orders-pending"]
        #expect(pending?.usableCapacity == 9)
        limits.setReserveForIncidents(true)
        #expect(!limits.plan(venueId: "bitget", operation: .openOrders(symbol: true)).tryAcquire(priority: .background))
        #expect(limits.plan(venueId: "bitget", operation: .batchCancel).tryAcquire(priority: .cancel))
        limits.register(venueId: "bitget2", kind: .bitgetMix, account: "b2")
        #expect(limits.buckets(venueId: "bitget2")["orders-pending"]?.reserveForIncidents == true)
        limits.setReserveForIncidents(false)
        #expect(limits.plan(venueId: "bitget", operation: .openOrders(symbol: true)).tryAcquire(priority: .background))
    }

    @Test func penalizeThroughTheRegistry() async throws {
        let clock = ManualClock()
        let limits = VenueRateLimits(clock: clock)
        limits.register(venueId: "htx", kind: .htxSpot, account: "h1")
        limits.penalize(venueId: "htx", operation: .batchCancel, retryAfter: .seconds(3))
        #expect(!limits.plan(venueId: "htx", operation: .batchCancel).tryAcquire())
        #expect(limits.plan(venueId: "htx", operation: .openOrders(symbol: true)).tryAcquire())
        let taker = Task { try await limits.acquire(venueId: "htx", operation: .batchCancel) }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.seconds(3)))
        clock.advance(by: .seconds(3))
        #expect(try await taker.value == .seconds(3))
    }

    @Test func entriesOnOneVenueAccountShareItsPoolsWhateverTheirLabels() {
        let clock = ManualClock()
        let limits = VenueRateLimits(clock: clock)
        limits.register(venueId: "bitget-desk-a", kind: .bitgetMix, account: "desk-a", uid: "4711")
        limits.register(venueId: "bitget-desk-b", kind: .bitgetMix, account: "desk-b", uid: "4711")
        limits.register(venueId: "bitget-other", kind: .bitgetMix, account: "desk-a", uid: "9999")
        let a = limits.plan(venueId: "bitget-desk-a", operation: .batchCancel).draws[0].bucket
        #expect(a === limits.plan(venueId: "bitget-desk-b", operation: .batchCancel).draws[0].bucket)
        #expect(a !== limits.plan(venueId: "bitget-other", operation: .batchCancel).draws[0].bucket)
        // The venue counts the account: ten from one label leave nothing for the other.
        for _ in 0..<10 { #expect(limits.plan(venueId: "bitget-desk-a", operation: .batchCancel).tryAcquire()) }
        #expect(!limits.plan(venueId: "bitget-desk-b", operation: .batchCancel).tryAcquire())
        #expect(limits.plan(venueId: "bitget-other", operation: .batchCancel).tryAcquire())
        // Gate counts per account and market: futures and spot of one uid are apart.
        limits.register(venueId: "gate-f", kind: .gateFutures, account: "x", uid: "1")
        limits.register(venueId: "gate-s", kind: .gateSpot, account: "y", uid: "1")
        #expect(limits.plan(venueId: "gate-f", operation: .batchCancel).draws[0].bucket !== limits.plan(venueId: "gate-s", operation: .batchCancel).draws[0].bucket)
    }

    @Test func everyRequestIsAdmittedUnderItsContextAndAStoppedFanOutSendsNothing() async throws {
        let clock = ManualClock()
        let limits = VenueRateLimits(clock: clock)
        limits.register(venueId: "bitget", kind: .bitgetMix, account: "b", uid: "1")
        let waits = Mutex<[Duration]>([])
        let reporting = RequestContext(priority: .cancel, waited: { _, wait in waits.withLock { $0.append(wait) } })
        try await RequestContext.$current.withValue(reporting) {
            try await limits.admit(venueId: "bitget", operation: .batchCancel)
        }
        #expect(waits.withLock { $0 } == [.zero])
        let stopped = RequestContext(priority: .cancel, mayStillSend: { false })
        await #expect(throws: RequestNotAdmitted.stopped) {
            try await RequestContext.$current.withValue(stopped) { try await limits.admit(venueId: "bitget", operation: .batchCancel) }
        }
        // Background requests wait while an incident holds the reserve.
        limits.setReserveForIncidents(true)
        let background = Task { try await RequestContext.$current.withValue(.background) { try await limits.admit(venueId: "bitget", operation: .openOrders(symbol: true)) } }
        await limits.buckets(venueId: "bitget")["orders-pending"]!.waitForWaiters(count: 1)
        limits.setReserveForIncidents(false)
        try await background.value
    }

    @Test func aBinanceBanHoldsEveryBinanceEntryOnTheIPUntilItEnds() async throws {
        let clock = ManualClock()
        let limits = VenueRateLimits(clock: clock)
        limits.register(venueId: "bn-a", kind: .binanceCoinM, account: "a", uid: "1")
        limits.register(venueId: "bn-b", kind: .binanceCoinM, account: "b", uid: "2")
        let until = WallClock.system.now() + 300_000
        limits.venueSaid(RateLimitSignal(throttled: true, bannedUntilMilliseconds: until), venueId: "bn-a", operation: .batchCancel)
        #expect(!limits.plan(venueId: "bn-b", operation: .batchCancel).tryAcquire(), "the other entry on the IP is held too")
        let taker = Task { try await limits.acquire(venueId: "bn-b", operation: .batchCancel) }
        await clock.waitForSleepers(count: 1)
        let hold = clock.nextDeadline!.offset
        #expect(hold > .seconds(295) && hold <= .seconds(300))
        taker.cancel()
        #expect(VenueRateLimits.minimumBanHold == .seconds(120))
    }

    @Test func usedWeightFromAnswersCountsAgainstTheSharedPool() {
        let clock = ManualClock()
        let limits = VenueRateLimits(clock: clock)
        limits.register(venueId: "bn", kind: .binanceCoinM, account: "a")
        limits.venueSaid(RateLimitSignal(throttled: false, usedWeight: 2390), venueId: "bn", operation: .batchCancel)
        #expect(limits.plan(venueId: "bn", operation: .batchCancel).draws[0].bucket.level == 10)
    }
}
