import KillSwitchCore
import Synchronization

/// Live counters of one incident, per venue: requests sent, each order's latest outcome, latency. Read by
/// status, `trip --follow` and the demo; written by the executor's tasks.
public final class IncidentProgress: Sendable {
    public struct VenueCounts: Sendable, Hashable, Codable {
        public var requests = 0
        /// Orders by their latest outcome (an order answered `pending` and later verified `cancelled` counts
        /// once, as `cancelled`).
        public var outcomes: [String: Int] = [:]
        /// Orders answered at least once.
        public var orders = 0
        /// Orders whose latest outcome is not terminal.
        public var outstanding = 0
        /// Orders the fan-out set out to cancel (planned at start, plus those found in scope since).
        public var planned = 0
        public var totalLatencyNanoseconds: Int64 = 0
        public var answered = 0

        public init() {}
    }

    private struct VenueState {
        var counts = VenueCounts()
        var latest: [String: CancelOutcomeKind] = [:]
    }

    private let state = Mutex<[String: VenueState]>([:])

    public init() {}

    /// Orders a venue's part starts with (and orders found later in scope): what status counts as the total.
    func planned(venueId: String, orders: Int) {
        state.withLock { $0[venueId, default: VenueState()].counts.planned += orders }
    }

    func requestSent(venueId: String) {
        state.withLock { $0[venueId, default: VenueState()].counts.requests += 1 }
    }

    func record(venueId: String, outcomes: [OrderCancelOutcome], latencyNanoseconds: Int64? = nil) {
        state.withLock { all in
            var venue = all[venueId, default: VenueState()]
            for outcome in outcomes {
                let key = outcome.target.symbol + "|" + outcome.target.wireId
                if let previous = venue.latest.updateValue(outcome.kind, forKey: key) {
                    venue.counts.outcomes[previous.rawValue, default: 1] -= 1
                    if venue.counts.outcomes[previous.rawValue] == 0 { venue.counts.outcomes[previous.rawValue] = nil }
                    if !previous.isTerminal { venue.counts.outstanding -= 1 }
                } else {
                    venue.counts.orders += 1
                }
                venue.counts.outcomes[outcome.kind.rawValue, default: 0] += 1
                if !outcome.kind.isTerminal { venue.counts.outstanding += 1 }
            }
            if let latencyNanoseconds {
                venue.counts.totalLatencyNanoseconds += latencyNanoseconds
                venue.counts.answered += 1
            }
            all[venueId] = venue
        }
    }

    public var snapshot: [String: VenueCounts] { state.withLock { $0.mapValues(\.counts) } }
}
