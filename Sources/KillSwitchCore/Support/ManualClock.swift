import Synchronization

/// A clock that only moves when told to: tests drive it with `advance(by:)` / `advance(to:)` instead of
/// sleeping real time. Everything in the engine that waits takes `any Clock<Duration>`, so tests hand it
/// one of these.
///
/// - `sleep(until:)` returns once the clock's time is at or past the deadline (a deadline already reached
///   returns at once). A cancelled sleeper throws `CancellationError` and is removed.
/// - `waitForSleepers(count:)` suspends until at least `count` sleepers are waiting, so a test can be
///   sure the code under test has reached its sleep before it advances the clock.
/// - Sleepers whose deadlines an advance reaches are resumed in deadline order (ties: order of arrival).
public final class ManualClock: Clock, Sendable {
    public typealias Duration = Swift.Duration

    /// An instant on a manual clock: the offset from the clock's zero.
    public struct Instant: InstantProtocol, Sendable, Hashable, Comparable, CustomStringConvertible {
        public var offset: Swift.Duration

        public init(offset: Swift.Duration) {
            self.offset = offset
        }

        public static let zero = Instant(offset: .zero)

        public func advanced(by duration: Swift.Duration) -> Instant {
            Instant(offset: offset + duration)
        }

        public func duration(to other: Instant) -> Swift.Duration {
            other.offset - offset
        }

        public static func < (lhs: Instant, rhs: Instant) -> Bool {
            lhs.offset < rhs.offset
        }

        public var description: String { "ManualClock.Instant(\(offset))" }
    }

    private struct Sleeper {
        var id: UInt64
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct SleeperWaiter {
        var count: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var now: Instant
        var nextId: UInt64 = 0
        var sleepers: [Sleeper] = []
        /// Sleep ids whose cancellation handler ran before the sleeper registered.
        var cancelledEarly: Set<UInt64> = []
        var sleeperWaiters: [SleeperWaiter] = []
        /// The tolerance each sleep asked for, in order.
        var tolerances: [Swift.Duration?] = []

        mutating func readyWaiters() -> [CheckedContinuation<Void, Never>] {
            var ready: [CheckedContinuation<Void, Never>] = []
            sleeperWaiters.removeAll { waiter in
                if sleepers.count >= waiter.count {
                    ready.append(waiter.continuation)
                    return true
                }
                return false
            }
            return ready
        }
    }

    private let state: Mutex<State>

    public init(now: Instant = .zero) {
        state = Mutex(State(now: now))
    }

    public var now: Instant { state.withLock { $0.now } }

    public var minimumResolution: Swift.Duration { .nanoseconds(1) }

    /// How many sleepers are waiting now.
    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    /// The tolerance every sleep so far asked for, in order (nil: the system's default, which lets the OS wake
    /// it late to coalesce timers).
    public var sleepTolerances: [Swift.Duration?] { state.withLock { $0.tolerances } }

    /// The earliest deadline among waiting sleepers, if any.
    public var nextDeadline: Instant? { state.withLock { $0.sleepers.map(\.deadline).min() } }

    public func sleep(until deadline: Instant, tolerance: Swift.Duration? = nil) async throws {
        let id = state.withLock { s -> UInt64 in
            s.nextId += 1
            s.tolerances.append(tolerance)
            return s.nextId
        }
        // A cancellation that raced with a normal resume leaves a mark behind; clear it when done.
        defer { state.withLock { _ = $0.cancelledEarly.remove(id) } }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Action { case resume, fail, wait([CheckedContinuation<Void, Never>]) }
                let action = state.withLock { s -> Action in
                    if s.cancelledEarly.remove(id) != nil { return .fail }
                    if deadline <= s.now { return .resume }
                    s.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .wait(s.readyWaiters())
                }
                switch action {
                case .resume: continuation.resume()
                case .fail: continuation.resume(throwing: CancellationError())
                case .wait(let waiters): waiters.forEach { $0.resume() }
                }
            }
        } onCancel: {
            let sleeper = state.withLock { s -> Sleeper? in
                if let index = s.sleepers.firstIndex(where: { $0.id == id }) {
                    return s.sleepers.remove(at: index)
                }
                // Not registered yet (or already resumed): remember, so a late registration fails.
                s.cancelledEarly.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves the clock forward by `duration` (negative durations are ignored) and resumes every sleeper
    /// whose deadline is now reached.
    public func advance(by duration: Swift.Duration) {
        let ready = state.withLock { s -> [Sleeper] in
            if duration > .zero { s.now = s.now.advanced(by: duration) }
            return Self.takeDue(&s)
        }
        ready.forEach { $0.continuation.resume() }
    }

    /// Moves the clock to `instant` (never backwards) and resumes every sleeper whose deadline is reached.
    public func advance(to instant: Instant) {
        let ready = state.withLock { s -> [Sleeper] in
            if instant > s.now { s.now = instant }
            return Self.takeDue(&s)
        }
        ready.forEach { $0.continuation.resume() }
    }

    /// Suspends until at least `count` sleepers are waiting on this clock.
    public func waitForSleepers(count: Int) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { s -> Bool in
                if s.sleepers.count >= count { return true }
                s.sleeperWaiters.append(SleeperWaiter(count: count, continuation: continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private static func takeDue(_ s: inout State) -> [Sleeper] {
        var due: [Sleeper] = []
        s.sleepers.removeAll { sleeper in
            if sleeper.deadline <= s.now {
                due.append(sleeper)
                return true
            }
            return false
        }
        // Stable sort: deadline order, arrival order among equal deadlines.
        return due.enumerated().sorted { a, b in
            a.element.deadline != b.element.deadline ? a.element.deadline < b.element.deadline : a.offset < b.offset
        }.map(\.element)
    }
}
