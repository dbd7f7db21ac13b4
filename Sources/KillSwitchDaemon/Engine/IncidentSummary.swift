import Foundation
import KillSwitchCore

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
