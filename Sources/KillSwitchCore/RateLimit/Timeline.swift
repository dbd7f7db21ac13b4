/// An injected `Clock<Duration>` seen as a line of nanosecond offsets from the moment the owner was
/// created. Opening the existential once lets the token bucket do exact integer arithmetic on time and
/// sleep until a computed offset with a single clock sleep.
struct Timeline: Sendable {
    /// Nanoseconds since the epoch (the clock's `now` when the timeline was made).
    let now: @Sendable () -> Int64
    /// Sleeps until the given offset (returns at once when it is already reached).
    let sleepUntil: @Sendable (Int64) async throws -> Void

    init(_ clock: any Clock<Duration>) {
        self = Timeline.make(clock)
    }

    private init(now: @escaping @Sendable () -> Int64, sleepUntil: @escaping @Sendable (Int64) async throws -> Void) {
        self.now = now
        self.sleepUntil = sleepUntil
    }

    private static func make<C: Clock<Duration>>(_ clock: C) -> Timeline {
        let epoch = clock.now
        return Timeline(
            now: { epoch.duration(to: clock.now).nanoseconds },
            sleepUntil: { offset in
                // Tolerance zero: without it Dispatch may wake a sleeper up to a tenth of its wait late (at least
                // 1 ms) to coalesce it with other timers — 100 ms on a 1 s window, and a token unused meanwhile.
                try await clock.sleep(until: epoch.advanced(by: .nanoseconds(offset)), tolerance: .zero)
            }
        )
    }
}

extension Duration {
    /// Seconds as a floating-point number (for rates and display).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// Whole nanoseconds (rounded toward negative infinity), saturating at the bounds of Int64.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        var nanos = attoseconds / 1_000_000_000
        if attoseconds < 0 && attoseconds % 1_000_000_000 != 0 { nanos -= 1 }
        let (sum, overflow2) = scaled.addingReportingOverflow(nanos)
        if overflow2 { return seconds < 0 ? .min : .max }
        return sum
    }
}
