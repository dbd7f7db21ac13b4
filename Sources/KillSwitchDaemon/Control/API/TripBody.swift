import KillSwitchCore

/// `POST /v1/trip` body: `{reason, scope?: {venue?, account?, symbol?}, actor?}`; no scope trips everything.
public struct TripBody: Sendable, Hashable, Codable, ControlRequestBody {
    public var reason: String
    public var scope: Scope?
    /// A note recorded beside the caller's identity (the socket peer's Unix user, or the TCP token's name);
    /// never taken as the identity.
    public var actor: String?

    public static let fields: Set<String> = ["reason", "scope", "actor"]

    public init(reason: String, scope: Scope? = nil, actor: String? = nil) {
        self.reason = reason
        self.scope = scope
        self.actor = actor
    }
}

/// `POST /v1/trip` answer: the incident that now latches the scope, and who it is recorded as tripped by.
public struct TripAnswer: Sendable, Hashable, Codable {
    /// Negative while the store cannot write: the scope is latched in memory and the incident is written
    /// (and numbered) as soon as it can be.
    public var incident: Int64
    public var actor: String
    /// Set when the scope's symbol was never listed or tracked on any venue in scope (the trip latched
    /// anyway), naming near matches.
    public var warning: String?

    public init(incident: Int64, actor: String, warning: String? = nil) {
        self.incident = incident
        self.actor = actor
        self.warning = warning
    }
}
