import Testing
@testable import KillSwitchCore

private func at(_ duration: Duration) -> ManualClock.Instant { .init(offset: duration) }

/// The limit as venues count it: never more than N (cost-weighted) grants in any window of W + jitter.
@Suite struct RateLimitPoolTests {
    /// The most grants (by cost) in any window of `window` ending at a grant.
    static func mostInAnyWindow(_ grants: [(at: Duration, cost: Int)], window: Duration) -> Int {
        grants.map { end in grants.filter { $0.at > end.at - window && $0.at <= end.at }.reduce(0) { $0 + $1.cost } }.max() ?? 0
    }

    @Test func aFullWindowWaitsUntilItsOldestGrantLeavesIt() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "bitget", capacity: 10, window: .seconds(1), clock: clock)
        for _ in 0..<10 { #expect(pool.tryAcquire()) }
        #expect(!pool.tryAcquire())
        #expect(pool.level == 0)

        let taker = Task { try await pool.acquire() }
        await clock.waitForSleepers(count: 1)
        // Not 100 ms (a token bucket's refill): the 11th may only go once the first ten are a window old.
        #expect(clock.nextDeadline == at(.seconds(1)))
        clock.advance(by: .milliseconds(999))
        #expect(pool.waitingCount == 1)
        clock.advance(by: .milliseconds(1))
        let grant = try await taker.value
        #expect(grant.waited == .seconds(1))
        #expect(grant.sequence == 11)
        #expect(pool.level == 9, "the t = 0 grants left the window; only this one is in it")
        // The wait asked for tolerance zero: by default the OS may wake it up to 100 ms late on a 1 s window.
        #expect(clock.sleepTolerances == [.zero])
    }

    @Test func aBurstFromAFreshStartNeverPutsMoreThanTheCountInAnyWindow() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "bitget", capacity: 10, window: .seconds(1), clock: clock)
        let grants = try await withThrowingTaskGroup(of: (Duration, Int).self) { group in
            for _ in 0..<40 {
                group.addTask {
                    let grant = try await pool.acquire()
                    return (grant.waited, 1)
                }
            }
            await pool.waitForWaiters(count: 30)
            for _ in 0..<3 {
                await clock.waitForSleepers(count: 1)
                clock.advance(to: clock.nextDeadline!)
            }
            var grants: [(Duration, Int)] = []
            for try await grant in group { grants.append(grant) }
            return grants
        }
        #expect(grants.count == 40)
        // 10 at 0 s, 1 s, 2 s and 3 s: 40 requests take three full windows, as the venue counts them.
        #expect(grants.map(\.0).sorted() == (0..<4).flatMap { second in Array(repeating: Duration.seconds(second), count: 10) })
        #expect(Self.mostInAnyWindow(grants.map { (at: $0.0, cost: $0.1) }, window: .seconds(1)) == 10)
    }

    @Test func aRequestCountsFromWhenItIsOverNotFromItsGrant() async throws {
        // A request granted at 0 that only reaches the venue at 300 ms (a connection to open) is counted by
        // the venue from 300 ms: its window runs from when it is over (settled), so the next one cannot land
        // inside the venue's window with it.
        let clock = ManualClock()
        let pool = RateLimitPool(name: "bitget", capacity: 1, window: .seconds(1), clock: clock)
        let first = try await pool.acquire(untilSettled: true)
        #expect(pool.inFlightCount == 1)
        let next = Task { try await pool.acquire(untilSettled: true) }
        await pool.waitForWaiters(count: 1)
        #expect(clock.sleeperCount == 0, "waiting on a request in flight: no timer, the settle decides")
        clock.advance(by: .seconds(2))
        #expect(pool.waitingCount == 1, "still in flight after a whole window: still counted")
        clock.advance(by: .milliseconds(300))
        pool.settle(first.sequence)
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.milliseconds(3300)))
        clock.advance(to: at(.milliseconds(3300)))
        let second = try await next.value
        #expect(second.waited == .milliseconds(3300))
        pool.settle(second.sequence)
        #expect(pool.inFlightCount == 0)
    }

    @Test func theJitterAllowanceWidensTheWindow() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "gate", capacity: 200, window: .seconds(1), jitterAllowance: .milliseconds(20), clock: clock)
        #expect(pool.spacingWindow == .milliseconds(1020))
        #expect(pool.tryAcquire(cost: 200))
        let taker = Task { try await pool.acquire() }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.milliseconds(1020)))
        clock.advance(to: at(.milliseconds(1020)))
        #expect(try await taker.value.waited == .milliseconds(1020))
    }

    @Test(arguments: [
        (50, Duration.seconds(2)),      // HTX
        (200, .seconds(1)),             // Gate cancels
        (200, .seconds(10)),            // Gate other private
        (10, .seconds(1)),              // Bitget
        (2400, .seconds(60)),           // Binance weight
    ])
    func grantsSpreadOverAWindowFreeUpOneByOne(capacity: Int, window: Duration) async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "p", capacity: capacity, window: window, clock: clock)
        // One grant every window/capacity: the window is full from then on, and each new grant waits for
        // exactly the one a window older to leave.
        let step = window / capacity
        for _ in 0..<capacity {
            #expect(pool.tryAcquire())
            clock.advance(by: step)
        }
        #expect(pool.level == 1, "the first grant left the window just now")
        #expect(pool.tryAcquire())
        let taker = Task { try await pool.acquire() }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == clock.now.advanced(by: step))
        clock.advance(by: step)
        #expect(try await taker.value.waited == step)
    }

    @Test func weightedCostsWaitForEnoughWeightToLeaveAndNeverBarge() async throws {
        let clock = ManualClock()
        let weight = RateLimitPool(name: "binance/ip/weight", capacity: 2400, window: .seconds(60), clock: clock)
        for _ in 0..<59 { #expect(weight.tryAcquire(cost: 40)) }     // 2360 at t = 0
        clock.advance(by: .seconds(10))
        #expect(weight.tryAcquire(cost: 40))                          // 2400 with this one at t = 10 s
        #expect(!weight.tryAcquire(cost: 1))
        let big = Task { try await weight.acquire(cost: 40) }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.seconds(60)), "the t = 0 grants free 2360 at 60 s")
        // A cheap taker that arrives later queues behind the expensive one.
        let small = Task { try await weight.acquire(cost: 1) }
        await weight.waitForWaiters(count: 2)
        clock.advance(to: at(.seconds(60)))
        let bigGrant = try await big.value
        let smallGrant = try await small.value
        #expect(bigGrant.sequence < smallGrant.sequence)
        #expect(smallGrant.waited == .seconds(50))
    }

    @Test func costAboveCapacityIsRefused() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "b", capacity: 10, window: .seconds(1), clock: clock)
        await #expect(throws: RateLimitError.costExceedsCapacity(bucket: "b", cost: 11, capacity: 10)) {
            try await pool.acquire(cost: 11)
        }
    }

    @Test func fairnessAmongConcurrentTakersFollowsArrival() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "b", capacity: 2, window: .seconds(1), clock: clock)
        #expect(pool.tryAcquire(cost: 2))
        var takers: [Task<RateLimitPool.Grant, any Error>] = []
        for index in 0..<6 {
            takers.append(Task { try await pool.acquire() })
            await pool.waitForWaiters(count: index + 1)
        }
        #expect(clock.sleeperCount <= 1)  // one timer for the whole queue, not one sleep per taker
        var sequences: [UInt64] = []
        for round in 1...3 {
            await clock.waitForSleepers(count: 1)
            clock.advance(to: at(.seconds(round)))
            for index in (round - 1) * 2..<round * 2 {
                let grant = try await takers[index].value
                #expect(grant.waited == .seconds(round))
                sequences.append(grant.sequence)
            }
        }
        #expect(sequences == sequences.sorted())
        #expect(Set(sequences).count == 6)
    }

    @Test func cancelPriorityGoesAheadOfBackground() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "b", capacity: 1, window: .seconds(1), clock: clock)
        #expect(pool.tryAcquire())
        let background = Task { try await pool.acquire(priority: .background) }
        await pool.waitForWaiters(count: 1)
        let cancel = Task { try await pool.acquire(priority: .cancel) }
        await pool.waitForWaiters(count: 2)
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        let cancelGrant = try await cancel.value
        #expect(cancelGrant.waited == .seconds(1))
        #expect(pool.waitingCount == 1)
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        let backgroundGrant = try await background.value
        #expect(backgroundGrant.waited == .seconds(2))
        #expect(cancelGrant.sequence < backgroundGrant.sequence)
    }

    @Test func backgroundNeverTakesWhileCancelsWaitOrReserveIsSet() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "b", capacity: 10, window: .seconds(1), clock: clock)
        pool.reserveForIncidents = true
        #expect(!pool.tryAcquire(priority: .background))
        #expect(pool.tryAcquire(priority: .cancel))
        let background = Task { try await pool.acquire(priority: .background) }
        await pool.waitForWaiters(count: 1)
        clock.advance(by: .seconds(10))
        #expect(pool.waitingCount == 1)
        #expect(clock.sleeperCount == 0)  // nothing to wait for on the clock
        pool.reserveForIncidents = false
        #expect(try await background.value.waited == .seconds(10))

        // A cancel waiter blocks background even when the window has room for the background cost.
        #expect(pool.tryAcquire(cost: 9))
        let cancel = Task { try await pool.acquire(cost: 5, priority: .cancel) }
        await pool.waitForWaiters(count: 1)
        #expect(!pool.tryAcquire(cost: 1, priority: .background))
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        _ = try await cancel.value
    }

    @Test func aPenaltyHoldsEveryTakerForTheRetryAfterExactly() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "b", capacity: 10, window: .seconds(1), clock: clock)
        pool.penalize(retryAfter: .seconds(2))
        #expect(pool.isPenalized)
        #expect(!pool.tryAcquire())
        let taker = Task { try await pool.acquire() }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.seconds(2)))
        clock.advance(by: .milliseconds(1999))
        #expect(pool.waitingCount == 1)
        #expect(!pool.tryAcquire())
        clock.advance(by: .milliseconds(1))
        #expect(try await taker.value.waited == .seconds(2))
        #expect(!pool.isPenalized)
        #expect(pool.level == 9)
    }

    @Test func aPenaltyWithoutRetryAfterTakesTheWindowAsFull() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "weight", capacity: 2400, window: .seconds(60), jitterAllowance: .milliseconds(10), clock: clock)
        #expect(pool.tryAcquire(cost: 100))
        clock.advance(by: .seconds(5))
        pool.penalize(retryAfter: nil)
        #expect(pool.level == 0)
        let taker = Task { try await pool.acquire(cost: 1) }
        await clock.waitForSleepers(count: 1)
        // The 100 granted at 0 leave first (60.01 s): the venue said "full", so only what we took leaves then.
        #expect(clock.nextDeadline == at(.milliseconds(60_010)))
        clock.advance(to: at(.milliseconds(60_010)))
        _ = try await taker.value
        #expect(pool.level == 99)
    }

    @Test func aPenaltyAlsoDelaysTakersAlreadyWaiting() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "b", capacity: 10, window: .seconds(1), clock: clock)
        #expect(pool.tryAcquire(cost: 10))
        let taker = Task { try await pool.acquire() }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.seconds(1)))
        clock.advance(by: .milliseconds(900))
        pool.penalize(retryAfter: .milliseconds(300))
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.milliseconds(1200)))
        clock.advance(to: at(.milliseconds(1200)))
        #expect(try await taker.value.waited == .milliseconds(1200))
    }

    @Test func aSafetyMarginHoldsBackTheCount() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "b", capacity: 10, window: .seconds(1), safetyMargin: 0.2, clock: clock)
        #expect(pool.usableCapacity == 8)
        #expect(pool.capacity == 10)
        for _ in 0..<8 { #expect(pool.tryAcquire()) }
        #expect(!pool.tryAcquire())
        let exact = RateLimitPool(name: "b0", capacity: 10, window: .seconds(1), safetyMargin: 0, clock: clock)
        #expect(exact.usableCapacity == 10)
    }

    @Test func liveFiguresReplaceThePublishedOnesAndWaitersThatNoLongerFitFail() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "weight", capacity: 2400, window: .seconds(60), clock: clock)
        #expect(pool.tryAcquire(cost: 1000))
        pool.setLimits(capacity: 1200, window: .seconds(60))
        #expect(pool.capacity == 1200)
        #expect(pool.level == 200)
        #expect(!pool.tryAcquire(cost: 201))
        let taker = Task { try await pool.acquire(cost: 300) }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.seconds(60)))
        // Raising the figure while waiting grants at once.
        pool.setLimits(capacity: 2400, window: .seconds(60))
        #expect(try await taker.value.waited == .zero)

        let huge = Task { try await pool.acquire(cost: 2000) }
        await pool.waitForWaiters(count: 1)
        pool.setLimits(capacity: 50, window: .seconds(60))
        await #expect(throws: RateLimitError.self) { try await huge.value }
    }

    @Test func aCancelledTakerTakesNothingAndUnblocksTheQueue() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "b", capacity: 10, window: .seconds(1), clock: clock)
        #expect(pool.tryAcquire(cost: 10))
        let first = Task { try await pool.acquire(cost: 5) }
        await pool.waitForWaiters(count: 1)
        let second = Task { try await pool.acquire(cost: 1) }
        await pool.waitForWaiters(count: 2)
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        #expect(try await second.value.waited == .seconds(1))
        #expect(pool.level == 9)
    }

    @Test func usageHeadersCountWhatOthersSpentAndNeverGiveBack() {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "b", capacity: 2400, window: .seconds(60), clock: clock)
        #expect(pool.tryAcquire(cost: 100))
        pool.reconcile(remaining: 2000)     // the venue counts 400: 300 more than ours
        #expect(pool.level == 2000)
        pool.reconcile(remaining: 2300)     // never raises what is left
        #expect(pool.level == 2000)
        pool.reconcile(used: 1000)          // Binance: 1000 weight used on this IP
        #expect(pool.level == 1400)
        clock.advance(by: .seconds(60))
        #expect(pool.level == 2400)
    }
}
