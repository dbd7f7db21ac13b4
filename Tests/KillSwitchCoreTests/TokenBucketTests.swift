import Testing
@testable import KillSwitchCore

private func at(_ duration: Duration) -> ManualClock.Instant { .init(offset: duration) }

@Suite struct TokenBucketTests {
    @Test func burstUpToCapacityThenExactWaitForTheNextToken() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "bitget", capacity: 10, window: .seconds(1), clock: clock)
        for _ in 0..<10 { #expect(bucket.tryAcquire()) }
        #expect(!bucket.tryAcquire())
        #expect(bucket.level == 0)

        let taker = Task { try await bucket.acquire() }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.milliseconds(100)))
        clock.advance(by: .milliseconds(99))
        #expect(bucket.waitingCount == 1)
        clock.advance(by: .milliseconds(1))
        let grant = try await taker.value
        #expect(grant.waited == .milliseconds(100))
        #expect(grant.sequence == 11)
        #expect(bucket.level == 0)
    }

    @Test func refillIsContinuous() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "gate", capacity: 200, window: .seconds(1), clock: clock)
        #expect(bucket.tryAcquire(cost: 200))
        clock.advance(by: .milliseconds(500))
        #expect(bucket.level == 100)
        clock.advance(by: .milliseconds(1))
        #expect(bucket.level == 100.2)
        #expect(bucket.tryAcquire(cost: 100))
        #expect(!bucket.tryAcquire())
        // Never above capacity, however long it idles.
        clock.advance(by: .seconds(3600))
        #expect(bucket.level == 200)
    }

    @Test(arguments: [
        (50, Duration.seconds(2), 1, Duration.milliseconds(40)),       // HTX
        (200, .seconds(1), 1, .milliseconds(5)),                        // Gate cancels
        (200, .seconds(10), 1, .milliseconds(50)),                      // Gate other private
        (10, .seconds(1), 1, .milliseconds(100)),                       // Bitget
        (2400, .seconds(60), 1, .milliseconds(25)),                     // Binance weight 1
        (2400, .seconds(60), 40, .seconds(1)),                          // Binance weight 40
        (2400, .seconds(60), 10, .milliseconds(250)),                   // Binance countdown
    ])
    func exactWaitFromEmpty(capacity: Int, window: Duration, cost: Int, expected: Duration) async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "b", capacity: capacity, window: window, clock: clock)
        #expect(bucket.tryAcquire(cost: capacity))
        let taker = Task { try await bucket.acquire(cost: cost) }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(expected))
        clock.advance(to: at(expected - .nanoseconds(1)))
        #expect(bucket.waitingCount == 1)
        clock.advance(to: at(expected))
        #expect(try await taker.value.waited == expected)
    }

    @Test func nonIntegralRatesRoundTheWaitUpToTheNanosecond() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "b", capacity: 3, window: .seconds(1), clock: clock)
        #expect(bucket.tryAcquire(cost: 3))
        let taker = Task { try await bucket.acquire() }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.nanoseconds(333_333_334)))
        clock.advance(to: at(.nanoseconds(333_333_334)))
        _ = try await taker.value
    }

    @Test func weightedCosts() async throws {
        let clock = ManualClock()
        let weight = TokenBucket(name: "binance/ip/weight", capacity: 2400, window: .seconds(60), clock: clock)
        for _ in 0..<60 { #expect(weight.tryAcquire(cost: 40)) }
        #expect(!weight.tryAcquire(cost: 1))
        // 1 weight is back after 25 ms, 40 after 1 s.
        clock.advance(by: .milliseconds(25))
        #expect(weight.tryAcquire(cost: 1))
        #expect(!weight.tryAcquire(cost: 40))
        let big = Task { try await weight.acquire(cost: 40) }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.milliseconds(1025)))
        // A cheap taker that arrives later queues behind the expensive one (no barging).
        let small = Task { try await weight.acquire(cost: 1) }
        await weight.waitForWaiters(count: 2)
        clock.advance(to: at(.milliseconds(1025)))
        let bigGrant = try await big.value
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .milliseconds(25))
        let smallGrant = try await small.value
        #expect(bigGrant.sequence < smallGrant.sequence)
        #expect(smallGrant.waited == .milliseconds(25 + 1025 - 25))
    }

    @Test func costAboveCapacityIsRefused() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "b", capacity: 10, window: .seconds(1), clock: clock)
        await #expect(throws: RateLimitError.costExceedsCapacity(bucket: "b", cost: 11, capacity: 10)) {
            try await bucket.acquire(cost: 11)
        }
    }

    @Test func fairnessAmongConcurrentTakersFollowsArrival() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "b", capacity: 2, window: .seconds(1), clock: clock)
        #expect(bucket.tryAcquire(cost: 2))
        var takers: [Task<TokenBucket.Grant, any Error>] = []
        for index in 0..<6 {
            takers.append(Task { try await bucket.acquire() })
            await bucket.waitForWaiters(count: index + 1)
        }
        #expect(clock.sleeperCount <= 1)  // one timer for the whole queue, not one sleep per taker
        var sequences: [UInt64] = []
        for index in 0..<6 {
            await clock.waitForSleepers(count: 1)
            clock.advance(by: .milliseconds(500))
            let grant = try await takers[index].value
            #expect(grant.waited == .milliseconds(500 * (index + 1)))
            #expect(bucket.waitingCount == 5 - index)
            sequences.append(grant.sequence)
        }
        #expect(sequences == sequences.sorted())
        #expect(Set(sequences).count == 6)
    }

    @Test func grantOrderIsArrivalOrderEvenWhenAllBecomeReadyAtOnce() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "b", capacity: 8, window: .seconds(1), clock: clock)
        #expect(bucket.tryAcquire(cost: 8))
        var takers: [Task<TokenBucket.Grant, any Error>] = []
        for index in 0..<8 {
            takers.append(Task { try await bucket.acquire() })
            await bucket.waitForWaiters(count: index + 1)
        }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        var sequences: [UInt64] = []
        for taker in takers { sequences.append(try await taker.value.sequence) }
        #expect(sequences == Array(2...9))  // the burst was grant 1
    }

    @Test func cancelPriorityGoesAheadOfBackground() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "b", capacity: 1, window: .seconds(1), clock: clock)
        #expect(bucket.tryAcquire())
        let background = Task { try await bucket.acquire(priority: .background) }
        await bucket.waitForWaiters(count: 1)
        let cancel = Task { try await bucket.acquire(priority: .cancel) }
        await bucket.waitForWaiters(count: 2)
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        let cancelGrant = try await cancel.value
        #expect(cancelGrant.waited == .seconds(1))
        #expect(bucket.waitingCount == 1)
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        let backgroundGrant = try await background.value
        #expect(backgroundGrant.waited == .seconds(2))
        #expect(cancelGrant.sequence < backgroundGrant.sequence)
    }

    @Test func backgroundNeverTakesWhileCancelsWaitOrReserveIsSet() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "b", capacity: 10, window: .seconds(1), clock: clock)
        bucket.reserveForIncidents = true
        #expect(!bucket.tryAcquire(priority: .background))
        #expect(bucket.tryAcquire(priority: .cancel))
        let background = Task { try await bucket.acquire(priority: .background) }
        await bucket.waitForWaiters(count: 1)
        clock.advance(by: .seconds(10))
        #expect(bucket.waitingCount == 1)
        #expect(clock.sleeperCount == 0)  // nothing to wait for on the clock
        bucket.reserveForIncidents = false
        #expect(try await background.value.waited == .seconds(10))

        // A cancel waiter blocks background even when tokens would suffice for the background cost.
        #expect(bucket.tryAcquire(cost: 9))
        let cancel = Task { try await bucket.acquire(cost: 5, priority: .cancel) }
        await bucket.waitForWaiters(count: 1)
        #expect(!bucket.tryAcquire(cost: 1, priority: .background))
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .milliseconds(500))
        _ = try await cancel.value
    }

    @Test func penaltyEmptiesAndHonoursRetryAfterExactly() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "b", capacity: 10, window: .seconds(1), clock: clock)
        bucket.penalize(retryAfter: .seconds(2))
        #expect(bucket.level == 0)
        #expect(bucket.isPenalized)
        #expect(!bucket.tryAcquire())
        let taker = Task { try await bucket.acquire() }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.seconds(2)))
        clock.advance(by: .milliseconds(1999))
        #expect(bucket.waitingCount == 1)
        #expect(!bucket.tryAcquire())  // tokens are back but the hold is in force
        clock.advance(by: .milliseconds(1))
        #expect(try await taker.value.waited == .seconds(2))
        #expect(!bucket.isPenalized)
        #expect(bucket.level == 9)
    }

    @Test func penaltyWithoutRetryAfterHoldsForOneRefillOfTheCost() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "b", capacity: 2400, window: .seconds(60), clock: clock)
        bucket.penalize(retryAfter: nil, cost: 40)
        let taker = Task { try await bucket.acquire(cost: 1) }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.seconds(1)))
        clock.advance(by: .seconds(1))
        #expect(try await taker.value.waited == .seconds(1))
        #expect(bucket.level == 39)
    }

    @Test func penaltyAlsoDelaysTakersAlreadyWaiting() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "b", capacity: 10, window: .seconds(1), clock: clock)
        #expect(bucket.tryAcquire(cost: 10))
        let taker = Task { try await bucket.acquire() }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.milliseconds(100)))
        clock.advance(by: .milliseconds(50))
        bucket.penalize(retryAfter: .milliseconds(300))
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.milliseconds(350)))
        clock.advance(to: at(.milliseconds(350)))
        #expect(try await taker.value.waited == .milliseconds(350))
    }

    @Test func safetyMarginHoldsBackBurstAndRate() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "b", capacity: 10, window: .seconds(1), safetyMargin: 0.2, clock: clock)
        #expect(bucket.usableCapacity == 8)
        #expect(bucket.capacity == 10)
        for _ in 0..<8 { #expect(bucket.tryAcquire()) }
        #expect(!bucket.tryAcquire())
        let taker = Task { try await bucket.acquire() }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.milliseconds(125)))
        clock.advance(by: .milliseconds(125))
        _ = try await taker.value

        let exact = TokenBucket(name: "b0", capacity: 10, window: .seconds(1), safetyMargin: 0, clock: clock)
        #expect(exact.usableCapacity == 10)
    }

    @Test func setLimitsAppliesLiveFigures() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "weight", capacity: 2400, window: .seconds(60), clock: clock)
        #expect(bucket.tryAcquire(cost: 1000))
        bucket.setLimits(capacity: 1200, window: .seconds(60))
        #expect(bucket.capacity == 1200)
        #expect(bucket.level == 1200)  // 1400 on hand, capped to the new capacity
        #expect(bucket.tryAcquire(cost: 1200))
        let taker = Task { try await bucket.acquire(cost: 20) }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.seconds(1)))  // 20 per second now
        // Raising the rate while waiting moves the timer earlier.
        bucket.setLimits(capacity: 2400, window: .seconds(60))
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.milliseconds(500)))
        clock.advance(by: .milliseconds(500))
        #expect(try await taker.value.waited == .milliseconds(500))

        // A waiter whose cost no longer fits fails.
        #expect(bucket.tryAcquire(cost: Int(bucket.level)))
        let huge = Task { try await bucket.acquire(cost: 100) }
        await bucket.waitForWaiters(count: 1)
        bucket.setLimits(capacity: 50, window: .seconds(60))
        await #expect(throws: RateLimitError.self) { try await huge.value }
    }

    @Test func cancelledTakerTakesNothingAndUnblocksTheQueue() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "b", capacity: 10, window: .seconds(1), clock: clock)
        #expect(bucket.tryAcquire(cost: 10))
        let first = Task { try await bucket.acquire(cost: 5) }
        await bucket.waitForWaiters(count: 1)
        let second = Task { try await bucket.acquire(cost: 1) }
        await bucket.waitForWaiters(count: 2)
        first.cancel()
        await #expect(throws: CancellationError.self) { try await first.value }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.milliseconds(100)))
        clock.advance(by: .milliseconds(100))
        #expect(try await second.value.waited == .milliseconds(100))
        #expect(bucket.level == 0)
    }

    @Test func reconcileLowersTheLevelToTheVenuesFigure() {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "b", capacity: 2400, window: .seconds(60), clock: clock)
        bucket.reconcile(remaining: 100)
        #expect(bucket.level == 100)
        bucket.reconcile(remaining: 2000)
        #expect(bucket.level == 100)
    }

    @Test func manyConcurrentTakersAreServedOneRefillApart() async throws {
        let clock = ManualClock()
        let bucket = TokenBucket(name: "b", capacity: 10, window: .seconds(1), clock: clock)
        let grants = try await withThrowingTaskGroup(of: TokenBucket.Grant.self) { group in
            for _ in 0..<100 { group.addTask { try await bucket.acquire() } }
            await bucket.waitForWaiters(count: 90)
            for _ in 0..<90 {
                await clock.waitForSleepers(count: 1)
                clock.advance(by: .milliseconds(100))
            }
            var grants: [TokenBucket.Grant] = []
            for try await grant in group { grants.append(grant) }
            return grants
        }
        #expect(grants.count == 100)
        #expect(Set(grants.map(\.sequence)) == Set(1...100))
        let waits = grants.map(\.waited).sorted()
        #expect(waits == Array(repeating: .zero, count: 10) + (1...90).map { .milliseconds(100 * $0) })
        #expect(bucket.level == 0)
        #expect(clock.sleeperCount == 0)
    }
}
