import Testing
@testable import KillSwitchCore

private func at(_ duration: Duration) -> ManualClock.Instant { .init(offset: duration) }

/// Countdown refreshes have a budget of their own: a reserved slice of the pool that neither an incident's
/// cancels nor background traffic can take, so a pool an incident keeps full never lets a countdown fire.
@Suite struct RefreshReserveTests {
    @Test func cancelsThatFillThePoolLeaveTheReserveToRefreshes() {
        let pool = RateLimitPool(name: "binance/ip/weight", capacity: 10, window: .seconds(60), clock: ManualClock())
        pool.setRefreshReserve(2)
        for _ in 0..<8 { #expect(pool.tryAcquire(priority: .cancel)) }
        #expect(!pool.tryAcquire(priority: .cancel), "the last 2 are the refreshes'")
        #expect(pool.level == 0, "what a cancel could take now")
        #expect(pool.tryAcquire(priority: .refresh))
        #expect(pool.tryAcquire(priority: .refresh))
        #expect(!pool.tryAcquire(priority: .refresh), "the pool itself is full: the venue's limit still holds")
    }

    @Test func withoutAReserveAFullPoolMakesARefreshWaitAWholeWindow() async throws {
        // The control for the test above: what the reserve prevents.
        let clock = ManualClock()
        let pool = RateLimitPool(name: "binance/ip/weight", capacity: 10, window: .seconds(60), clock: clock)
        for _ in 0..<10 { #expect(pool.tryAcquire(priority: .cancel)) }
        let refresh = Task { try await pool.acquire(priority: .refresh) }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.seconds(60)))
        clock.advance(to: at(.seconds(60)))
        #expect(try await refresh.value.waited == .seconds(60))
    }

    @Test func refreshesMayUseFreeBudgetBeyondTheirReserve() {
        let pool = RateLimitPool(name: "htx/uid:1/countdown", capacity: 10, window: .seconds(2), clock: ManualClock())
        pool.setRefreshReserve(2)
        for _ in 0..<5 { #expect(pool.tryAcquire(priority: .refresh)) }
        // The reserve is spent (5 ≥ 2): nothing more is held back, cancels get the rest.
        for _ in 0..<5 { #expect(pool.tryAcquire(priority: .cancel)) }
        #expect(!pool.tryAcquire(priority: .cancel))
    }

    @Test func aRefreshIsServedBeforeCancelsQueuedAheadOfIt() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "binance/ip/weight", capacity: 4, window: .seconds(1), clock: clock)
        for _ in 0..<4 { #expect(pool.tryAcquire(priority: .cancel)) }
        let cancels = (0..<3).map { _ in Task { try await pool.acquire(priority: .cancel) } }
        await pool.waitForWaiters(count: 3)
        let refresh = Task { try await pool.acquire(priority: .refresh) }
        await pool.waitForWaiters(count: 4)
        await clock.waitForSleepers(count: 1)
        clock.advance(to: at(.seconds(1)))
        let refreshGrant = try await refresh.value
        var cancelSequences: [UInt64] = []
        for cancel in cancels { cancelSequences.append(try await cancel.value.sequence) }
        #expect(refreshGrant.sequence == 5, "first when the window opened, though it arrived last")
        #expect(cancelSequences.sorted() == [6, 7, 8])
    }

    @Test func anIncidentsReserveHoldsBackgroundButNotRefreshes() {
        let pool = RateLimitPool(name: "gate/uid:1/futures/countdown", capacity: 10, window: .seconds(10), clock: ManualClock())
        pool.setReserveForIncidents(true)
        #expect(!pool.tryAcquire(priority: .background))
        #expect(pool.tryAcquire(priority: .refresh))
    }

    @Test func aCancelWaitingBehindTheReserveIsServedWhenTheWindowMoves() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "binance/ip/weight", capacity: 10, window: .seconds(60), clock: clock)
        pool.setRefreshReserve(3)
        for _ in 0..<7 { #expect(pool.tryAcquire(priority: .cancel)) }
        let cancel = Task { try await pool.acquire(priority: .cancel) }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == at(.seconds(60)), "it fits once the first grants leave the window")
        // A refresh meanwhile takes from the reserve at once and does not delay the cancel further.
        #expect(pool.tryAcquire(priority: .refresh))
        clock.advance(to: at(.seconds(60)))
        #expect(try await cancel.value.waited == .seconds(60))
    }

    @Test func aReserveNeverBlocksALargeCancelForGood() {
        // A reserve as large as the pool still leaves an empty window room for any cost the pool can hold.
        let pool = RateLimitPool(name: "binance/ip/weight", capacity: 10, window: .seconds(60), clock: ManualClock())
        pool.setRefreshReserve(10)
        #expect(pool.tryAcquire(cost: 5, priority: .cancel))
        #expect(!pool.tryAcquire(cost: 1, priority: .cancel))
    }

    @Test func liftingTheReserveWakesTheCancelsItHeldBack() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "binance/ip/weight", capacity: 10, window: .seconds(60), clock: clock)
        pool.setRefreshReserve(2)
        for _ in 0..<8 { #expect(pool.tryAcquire(priority: .cancel)) }
        let cancel = Task { try await pool.acquire(priority: .cancel) }
        await pool.waitForWaiters(count: 1)
        pool.setRefreshReserve(0)
        #expect(try await cancel.value.waited == .zero)
    }

    @Test func reservationsOnOnePoolAddUpAndAreReleasedByHolder() {
        let limits = VenueRateLimits(clock: ManualClock())
        limits.register(venueId: "binance-a", kind: .binanceCoinM, account: "a", uid: "1")
        limits.register(venueId: "binance-b", kind: .binanceCoinM, account: "b", uid: "2")
        limits.register(venueId: "gate", kind: .gateFutures, account: "main", uid: "3")
        #expect(limits.setRefreshReservation(holder: "binance-a", venueId: "binance-a", cost: 70) == 70)
        #expect(limits.setRefreshReservation(holder: "binance-b", venueId: "binance-b", cost: 30) == 100, "one IP pool for every Binance entry")
        #expect(limits.buckets(venueId: "binance-a")["weight"]?.refreshReserve == 100)
        #expect(limits.setRefreshReservation(holder: "binance-a", venueId: "binance-a", cost: 0) == 30)
        #expect(limits.setRefreshReservation(holder: "gate", venueId: "gate", cost: 4) == 4)
        #expect(limits.buckets(venueId: "gate")["countdown"]?.refreshReserve == 4)
        #expect(limits.buckets(venueId: "gate")["cancels"]?.refreshReserve == 0, "only the countdown's own pool")
        #expect(limits.setRefreshReservation(holder: "x", venueId: "unknown", cost: 4) == nil)
    }

    @Test func aRefreshContextIsAdmittedFromTheReserve() async throws {
        let limits = VenueRateLimits(clock: ManualClock())
        limits.register(venueId: "binance", kind: .binanceCoinM, account: "main", uid: "1")
        let weight = try #require(limits.buckets(venueId: "binance")["weight"])
        limits.setRefreshReservation(holder: "binance", venueId: "binance", cost: 10)
        // An incident takes everything it may.
        while weight.tryAcquire(priority: .cancel) {}
        #expect(weight.level == 0)
        let ticket = try await RequestContext.$current.withValue(.refresh) {
            try await limits.admit(venueId: "binance", operation: .countdown)
        }
        ticket.settle()
    }
}

extension RefreshReserveTests {
    /// Binance at 100,000 orders: 2,000 batch cancels of weight 1 against 2,400 a minute, four symbols'
    /// refreshes (weight 10 each) every 5 s with their reserve (⌈60.01 / 5⌉ × 10 × 4 = 520). Every refresh of
    /// the minute is served at once, whatever the cancels queued.
    @Test func aMinuteOfRefreshesIsServedWhileAnIncidentKeepsThePoolFull() async throws {
        let clock = ManualClock()
        let pool = RateLimitPool(name: "binance/ip/weight", capacity: 2400, window: .seconds(60), jitterAllowance: .milliseconds(10), clock: clock)
        pool.setRefreshReserve(520)
        for _ in 0..<4 { #expect(pool.tryAcquire(cost: 10, priority: .refresh)) }
        // The incident: every cancel asks at once, each settled as soon as granted.
        let cancels = (0..<2_000).map { _ in
            Task {
                let grant = try await pool.acquire(cost: 1, priority: .cancel, untilSettled: true)
                pool.settle(grant.sequence)
            }
        }
        await pool.waitForWaiters(count: 1)
        for tick in 1...11 {
            clock.advance(by: .seconds(5))
            for symbol in 0..<4 {
                #expect(pool.tryAcquire(cost: 10, priority: .refresh), "tick \(tick), symbol \(symbol): level \(pool.level), waiting \(pool.waitingCount)")
            }
        }
        for cancel in cancels { cancel.cancel() }
    }
}
