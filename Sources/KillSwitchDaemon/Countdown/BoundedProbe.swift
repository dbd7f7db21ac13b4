import Synchronization

/// The daemon's liveness probe (the round trip through the trip engine's and the rule engine's actors that
/// the systemd watchdog uses) with a deadline: a countdown refresh must follow a probe that answered, and a
/// wedged engine must stop the refreshes rather than the refresher. At most one probe is in flight: while
/// the engine stays wedged, later checks wait on the same one instead of piling up more.
final class BoundedProbe: Sendable {
    private let probe: @Sendable () async -> Void
    private let clock: any Clock<Duration>
    private let inFlight = Mutex<Task<Void, Never>?>(nil)

    init(clock: any Clock<Duration>, probe: @escaping @Sendable () async -> Void) {
        self.clock = clock
        self.probe = probe
    }

    /// True when the probe answered within `deadline`.
    func answers(within deadline: Duration) async -> Bool {
        let task = inFlight.withLock { current -> Task<Void, Never> in
            if let current { return current }
            let task = Task { await self.probe() }
            current = task
            return task
        }
        let answered = await Self.finishes(task, within: deadline, clock: clock)
        if answered { inFlight.withLock { if $0 == task { $0 = nil } } }
        return answered
    }

    /// Whether `task` finishes within `deadline`. The task is never cancelled (an actor hop cannot be), only
    /// no longer waited for.
    static func finishes(_ task: Task<Void, Never>, within deadline: Duration, clock: any Clock<Duration>) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let once = ResumeOnce(continuation)
            let timer = Task {
                try? await clock.sleep(for: deadline)
                once.resume(false)
            }
            Task {
                await task.value
                once.resume(true)
                timer.cancel()
            }
        }
    }
}

/// Resumes a continuation with the first answer given; later ones are ignored.
private final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<Bool, Never>?>

    init(_ continuation: CheckedContinuation<Bool, Never>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ answer: Bool) {
        continuation.withLock { c in
            defer { c = nil }
            return c
        }?.resume(returning: answer)
    }
}
