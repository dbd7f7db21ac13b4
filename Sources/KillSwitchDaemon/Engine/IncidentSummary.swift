import Foundation
import KillSwitchCore
import KillSwitchStore

/// The end-of-incident summary stored with the incident: per venue, flat or not, outcome counts, how many
/// orders are still open and why — the first `listedRemaining` of them by id; `killswitch audit orders`
/// has every one (a summary of 10,000 remaining orders would be megabytes in one row and one log line).
struct IncidentSummary: Encodable {
    static let listedRemaining = 20

    struct Venue: Encodable {
        var venue: String
        var flat: Bool
        var problem: String?
        var outcomes: [String: Int]
        var remainingCount: Int
        var remaining: [Remaining]
    }

    struct Remaining: Encodable {
        var orderId: Int64
        var symbol: String
        var venueOrderId: String?
        var clientOrderId: String?
        var lastOutcome: String?
        var reason: String
    }

    var outcome: String
    var venues: [Venue]

    init(outcome: IncidentStateMachine.Outcome, results: [VenueCancelResult]) {
        self.outcome = outcome.rawValue
        venues = results.map { result in
            Venue(
                venue: result.venueId, flat: result.flat, problem: result.problem,
                outcomes: Dictionary(uniqueKeysWithValues: result.outcomeCounts.map { ($0.key.rawValue, $0.value) }),
                remainingCount: result.remaining.count,
                remaining: result.remaining.prefix(Self.listedRemaining).map {
                    Remaining(orderId: $0.target.orderId, symbol: $0.target.symbol, venueOrderId: $0.target.venueOrderId,
                              clientOrderId: $0.target.clientOrderId, lastOutcome: $0.lastOutcome?.rawValue, reason: $0.reason)
                }
            )
        }
    }

    var remainingCount: Int { venues.reduce(0) { $0 + $1.remainingCount } }

    /// One line for the log: per venue that is not flat, its problem and remaining count.
    var logLine: String {
        venues.filter { !$0.flat }.map { "\($0.venue): \($0.remainingCount) open (\($0.problem ?? "not confirmed"))" }.joined(separator: "; ")
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }
}

/// Per-venue order counts read back from a stored `IncidentSummary` (status for an incident this process did
/// not run).
struct IncidentSummaryCounts {
    var venues: [IncidentOrderProgress]

    init?(json: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let venues = object["venues"] as? [[String: Any]] else { return nil }
        self.venues = venues.compactMap { venue in
            guard let id = venue["venue"] as? String else { return nil }
            let outcomes = venue["outcomes"] as? [String: Int] ?? [:]
            let remaining = venue["remainingCount"] as? Int ?? (venue["remaining"] as? [Any])?.count ?? 0
            let total = outcomes.values.reduce(0, +) + remaining
            return IncidentOrderProgress(venue: id, total: total, outcomes: outcomes, notAttempted: 0, outstanding: remaining)
        }
    }
}
