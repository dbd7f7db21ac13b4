import Foundation
import Synchronization

/// Where the metrics listener ended up listening (port 0 in the config picks a free one): set once it
/// accepts connections, awaited by whoever needs the address (tests).
public final class MetricsEndpoint: Sendable {
    private struct State {
        var port: Int?
        var waiters: [UUID: CheckedContinuation<Int?, Never>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    func listening(port: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int?, Never>] in
            state.port = port
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    /// The bound port, nil before the listener is up.
    public var port: Int? { state.withLock { $0.port } }

    /// Waits until the listener is up and returns its port; nil when the wait is cancelled first.
    public func waitForPort() async -> Int? {
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Int?? in
                    if let port = state.port { return .some(port) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = continuation
                    return .none
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: nil)
        }
    }
}
