import KillSwitchCore

/// One venue's orders in an incident, for status and `trip --follow`: each order counted once, by its
/// latest outcome in the incident; orders in scope not tried yet count as `notAttempted`.
public struct IncidentOrderProgress: Sendable, Hashable, Codable {
    public var venue: String
    public var total: Int
    /// Latest outcome per order (`cancelled`, `alreadyClosed`, `pending`, `rejected`, …) → orders.
    public var outcomes: [String: Int]
    /// Open orders in scope with no outcome yet in this incident.
    public var notAttempted: Int
    /// Orders not yet terminal (not `cancelled`, `alreadyClosed` or `rejected`), `notAttempted` included.
    public var outstanding: Int

    public init(venue: String, total: Int = 0, outcomes: [String: Int] = [:], notAttempted: Int = 0, outstanding: Int = 0) {
        self.venue = venue
        self.total = total
        self.outcomes = outcomes
        self.notAttempted = notAttempted
        self.outstanding = outstanding
    }

    public func count(_ kind: CancelOutcomeKind) -> Int { outcomes[kind.rawValue] ?? 0 }
}
