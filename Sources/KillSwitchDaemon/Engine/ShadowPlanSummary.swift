import Foundation

/// What a shadow-mode trip would have sent, per venue: stored as the shadow incident's summary.
struct ShadowPlanSummary: Codable, Sendable, Hashable {
    struct Venue: Codable, Sendable, Hashable {
        var venue: String
        var requests: Int
        var orders: Int
    }

    var outcome = "shadow"
    var venues: [Venue]

    var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(self)).flatMap { String(data: $0, encoding: .utf8) } ?? #"{"outcome":"shadow"}"#
    }
}
