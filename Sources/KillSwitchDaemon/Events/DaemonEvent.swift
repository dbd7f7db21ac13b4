import Foundation
import Synchronization
import KillSwitchCore
import KillSwitchStore

/// Something an operator (or a webhook, or a metric) should hear about.
public enum DaemonEvent: Sendable {
    /// A scope was tripped: the incident is latched and its fan-out starts.
    case tripped(IncidentRecord)
    /// An incident's fan-out ended; `durationNanoseconds` is trip (or resume) to end on the engine's clock.
    case incidentEnded(IncidentRecord, outcome: IncidentStateMachine.Outcome, durationNanoseconds: Int64)
    /// An incident was re-armed (its scope is no longer tripped).
    case rearmed(IncidentRecord, operator: String, reason: String, forced: Bool)
    /// A venue-account's armed check failed (bad credentials, cannot cancel, unreachable).
    case armedCheckFailed(venueId: String, detail: String)
    /// The database stopped (`ok == false`) or started again writing; while it cannot, incidents are recorded
    /// in the journal.
    case storage(ok: Bool, detail: String)
    /// A venue's countdown cancel-all could not be refreshed (the first failure of a run of them): the venue
    /// cancels what it reaches at `armedUntil` (wall-clock ms; nil when never armed) unless a refresh gets
    /// through. `venueIds`: every entry the countdown reaches.
    case countdownFailed(venueIds: [String], detail: String, armedUntil: Int64?)
}

/// Fans daemon events out to every subscriber without ever blocking the publisher (a slow webhook must
/// never delay a cancel): each subscriber gets its own unbounded stream.
public final class DaemonEventBus: Sendable {
    private let subscribers = Mutex<[UUID: AsyncStream<DaemonEvent>.Continuation]>([:])

    public init() {}

    public func publish(_ event: DaemonEvent) {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield(event) }
    }

    /// A stream of every event published from now on; it ends when the consumer stops iterating.
    public func subscribe() -> AsyncStream<DaemonEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<DaemonEvent>.makeStream()
        continuation.onTermination = { [weak self] _ in _ = self?.subscribers.withLock { $0.removeValue(forKey: id) } }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }
}
