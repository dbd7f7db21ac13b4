import KillSwitchCore
import Synchronization

/// Live counters of one incident, per venue: requests sent, outcomes by kind, latency. Read by status and
/// `trip --follow`; written by the executor's tasks.
public final class IncidentProgress: Sendable {
    public struct VenueCounts: Sendable, Hashable, Codable {
        public var requests = 0
        public var outcomes: [String: Int] = [:]
        public var totalLatencyNanoseconds: Int64 = 0
        public var answered = 0
    }

    private let state = Mutex<[String: VenueCounts]>([:])

    public init() {}

    func requestSent(venueId: String) {
        state.withLock { $0[venueId, default: VenueCounts()].requests += 1 }
    }

    func record(venueId: String, outcomes: [OrderCancelOutcome], latencyNanoseconds: Int64? = nil) {
        state.withLock { all in
            var counts = all[venueId, default: VenueCounts()]
            for outcome in outcomes { counts.outcomes[outcome.kind.rawValue, default: 0] += 1 }
            if let latencyNanoseconds {
                counts.totalLatencyNanoseconds += latencyNanoseconds
                counts.answered += 1
            }
            all[venueId] = counts
        }
    }

    public var snapshot: [String: VenueCounts] { state.withLock { $0 } }
}
