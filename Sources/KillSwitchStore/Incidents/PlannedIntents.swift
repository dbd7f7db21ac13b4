import KillSwitchCore

/// The intents of one fan-out step of a venue, decided before they are written: written in one commit, one row
/// per request, before any of them is sent.
public struct PlannedIntents: Sendable {
    public var venueId: String
    /// `batch-cancel`, `cancel-all`, `list-open`, …
    public var kind: String
    public var requests: [(attempt: Int, symbol: String?, targets: [CancelTarget])]

    public init(venueId: String, kind: String, requests: [(attempt: Int, symbol: String?, targets: [CancelTarget])]) {
        self.venueId = venueId
        self.kind = kind
        self.requests = requests
    }
}
