import KillSwitchCore

/// An incident: one trip, its scope, what caused it, and how it ended.
public struct IncidentRecord: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable {
        case running
        case flat
        case incomplete
        /// Shadow mode: the plan was recorded, nothing was sent.
        case shadow
    }

    public var id: Int64
    public var scope: Scope
    public var ruleId: String?
    public var actor: String?
    public var reason: String
    public var state: State
    public var trippedAt: Int64
    public var deadlineAt: Int64?
    public var endedAt: Int64?
    /// JSON summary written at the end (per-venue results).
    public var summary: String?
    public var rearmedAt: Int64?
    public var rearmedBy: String?
    public var rearmReason: String?
    public var rearmForced: Bool

    public init(id: Int64, scope: Scope, ruleId: String?, actor: String?, reason: String, state: State, trippedAt: Int64, deadlineAt: Int64?,
                endedAt: Int64?, summary: String?, rearmedAt: Int64?, rearmedBy: String?, rearmReason: String?, rearmForced: Bool) {
        self.id = id
        self.scope = scope
        self.ruleId = ruleId
        self.actor = actor
        self.reason = reason
        self.state = state
        self.trippedAt = trippedAt
        self.deadlineAt = deadlineAt
        self.endedAt = endedAt
        self.summary = summary
        self.rearmedAt = rearmedAt
        self.rearmedBy = rearmedBy
        self.rearmReason = rearmReason
        self.rearmForced = rearmForced
    }

    /// Latched: tripped and not yet re-armed (whatever the cancel fan-out's state).
    public var isLatched: Bool { rearmedAt == nil }
}

/// What a restarted daemon needs to finish an incident that was running when the process died.
public struct IncidentResumeState: Sendable, Hashable {
    /// Cancel attempts already made per order.
    public var attempts: [Int64: Int]
    /// Orders in a request that was sent (intent committed) but never answered: verify before re-sending.
    public var unanswered: Set<Int64>
    /// Orders whose last recorded outcome in this incident is terminal, by outcome.
    public var terminal: [Int64: CancelOutcomeKind]
}
