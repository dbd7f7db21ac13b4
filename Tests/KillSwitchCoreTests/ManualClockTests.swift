import Testing
@testable import KillSwitchCore

@Suite struct ManualClockTests {
    @Test func sleeperWakesExactlyAtTheDeadline() async throws {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(until: .zero.advanced(by: .seconds(2)), tolerance: nil) }
        await clock.waitForSleepers(count: 1)
        #expect(clock.nextDeadline == ManualClock.Instant(offset: .seconds(2)))
        clock.advance(by: .milliseconds(1999))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .milliseconds(1))
        try await sleeper.value
        #expect(clock.sleeperCount == 0)
        #expect(clock.now == ManualClock.Instant(offset: .seconds(2)))
    }

    @Test func deadlineAlreadyReachedReturnsAtOnce() async throws {
        let clock = ManualClock()
        clock.advance(to: .init(offset: .seconds(5)))
        try await clock.sleep(until: .init(offset: .seconds(5)), tolerance: nil)
        try await clock.sleep(for: .zero)
        #expect(clock.sleeperCount == 0)
    }

    @Test func cancelledSleeperThrowsAndIsRemoved() async throws {
        let clock = ManualClock()
        let sleeper = Task { try await clock.sleep(for: .seconds(1)) }
        await clock.waitForSleepers(count: 1)
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(clock.sleeperCount == 0)
    }

    @Test func sleepersResumeInDeadlineOrder() async throws {
        let clock = ManualClock()
        let a = Task { try await clock.sleep(until: .init(offset: .seconds(3)), tolerance: nil) }
        await clock.waitForSleepers(count: 1)
        let b = Task { try await clock.sleep(until: .init(offset: .seconds(1)), tolerance: nil) }
        await clock.waitForSleepers(count: 2)
        clock.advance(by: .seconds(2))
        try await b.value
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        try await a.value
    }
}
