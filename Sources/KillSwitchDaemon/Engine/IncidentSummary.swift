import Foundation
import KillSwitchCore

/// The end-of-incident summary stored with the incident: per venue, flat or not, outcome counts, and what
/// is still open and why.
struct IncidentSummary: Encodable {
    struct Venue: Encodable {
        var venue: String
        var flat: Bool
        var problem: String?
        var outcomes: [String: Int]
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
                remaining: result.remaining.map {
                    Remaining(orderId: $0.target.orderId, symbol: $0.target.symbol, venueOrderId: $0.target.venueOrderId,
                              clientOrderId: $0.target.clientOrderId, lastOutcome: $0.lastOutcome?.rawValue, reason: $0.reason)
                }
            )
        }
    }

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }
}
