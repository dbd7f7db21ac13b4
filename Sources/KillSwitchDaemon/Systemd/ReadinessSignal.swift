import Foundation
import Synchronization

/// Fulfilled once (the control socket is listening); awaited by whoever must not act before that. A wait
/// after fulfilment returns at once; a cancelled wait returns early (check `isFulfilled`).
final class ReadinessSignal: Sendable {
    private struct State {
        var fulfilled = false
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
    }

    private let state = Mutex(State())

    init() {}

    func fulfil() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.fulfilled else { return [] }
            state.fulfilled = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    var isFulfilled: Bool { state.withLock { $0.fulfilled } }

    func wait() async {
        let id = UUID()
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.fulfilled || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }
}
