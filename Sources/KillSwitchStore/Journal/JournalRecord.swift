import KillSwitchCore

/// One record of the store's journal: what a write to the database would have been, with the ids it was
/// given while the database could not write (negative: provisional, mapped to real ids when merged).
struct JournalRecord: Codable, Sendable, Hashable {
    enum Kind: String, Codable, Sendable {
        case incident, intents, answer, verified, finish, reopen, audit
    }

    struct Intent: Codable, Sendable, Hashable {
        var id: Int64
        var attempt: Int
        var symbol: String?
        var orderIds: [Int64]
        var wireIds: [String]
    }

    struct Outcome: Codable, Sendable, Hashable {
        var orderId: Int64
        var symbol: String
        var venueOrderId: String?
        var clientOrderId: String?
        var kind: String
        var venueCode: String?
        var message: String?
        var attempt: Int
    }

    /// Unique across journals: `<process start>-<sequence>` (a merge skips keys already merged).
    var key: String
    var kind: Kind
    /// Wall-clock ms when it happened.
    var at: Int64
    var incidentId: Int64?
    // incident
    var scope: Scope?
    var ruleId: String?
    var actor: AuditActor?
    var reason: String?
    var deadlineAt: Int64?
    // intents
    var venueId: String?
    var requestKind: String?
    var intents: [Intent]?
    // answer / verified
    var intentId: Int64?
    var httpStatus: Int?
    var venueCode: String?
    var rawBody: String?
    var latencyMicroseconds: Int64?
    var transportError: String?
    var outcomes: [Outcome]?
    // finish / reopen / audit
    var state: String?
    var summary: String?
    var auditKind: String?
    var detail: [String: String]?

    init(key: String, kind: Kind, at: Int64, incidentId: Int64? = nil) {
        self.key = key
        self.kind = kind
        self.at = at
        self.incidentId = incidentId
    }
}
