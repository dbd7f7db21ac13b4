import KillSwitchCore

/// `POST /v1/rearm` body: `{operator?, reason, incident? | scope?, force?}`. With `scope`, every latched
/// incident whose scope is exactly that scope is re-armed.
public struct RearmBody: Sendable, Hashable, Codable, ControlRequestBody {
    /// A note recorded beside the operator's identity (which the daemon reads from the socket, or the TCP
    /// token), e.g. who asked for the re-arm; never taken as the identity.
    public var `operator`: String?
    public var reason: String
    public var incident: Int64?
    public var scope: Scope?
    /// Re-arm even though the rule's condition still holds (audited as forced).
    public var force: Bool?

    public static let fields: Set<String> = ["operator", "reason", "incident", "scope", "force"]

    public init(operator name: String? = nil, reason: String, incident: Int64? = nil, scope: Scope? = nil, force: Bool? = nil) {
        self.operator = name
        self.reason = reason
        self.incident = incident
        self.scope = scope
        self.force = force
    }
}

/// `POST /v1/rearm` answer: the incidents re-armed.
public struct RearmAnswer: Sendable, Hashable, Codable {
    public var rearmed: [Int64]
    public var forced: Bool

    public init(rearmed: [Int64], forced: Bool) {
        self.rearmed = rearmed
        self.forced = forced
    }
}

/// `POST /v1/incidents/{id}/retry` answer.
public struct RetryAnswer: Sendable, Hashable, Codable {
    public var incident: Int64
    /// The incident's state after the retry started (`running`).
    public var state: String

    public init(incident: Int64, state: String) {
        self.incident = incident
        self.state = state
    }
}
