#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The simulator's notion of "now", in wall-clock epoch milliseconds.
///
/// Timestamp checks, rate-limit refills, HTX's delayed removals and countdown timers all read it, so a
/// test can pin it to the golden vectors' time and advance it instead of sleeping.
public protocol SimClock: Sendable {
    func nowMilliseconds() -> Int64
}

/// The real wall clock (`CLOCK_REALTIME`).
public struct SystemSimClock: SimClock {
    public init() {}

    public func nowMilliseconds() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }
}

/// A clock that only moves when told to; thread-safe.
public final class ManualSimClock: SimClock {
    private let milliseconds: Mutex<Int64>

    public init(milliseconds: Int64) {
        self.milliseconds = Mutex(milliseconds)
    }

    public func nowMilliseconds() -> Int64 {
        milliseconds.withLock { $0 }
    }

    public func advance(byMilliseconds delta: Int64) {
        milliseconds.withLock { $0 += delta }
    }

    public func set(milliseconds newValue: Int64) {
        milliseconds.withLock { $0 = newValue }
    }
}
