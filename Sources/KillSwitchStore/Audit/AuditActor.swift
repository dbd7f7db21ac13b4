/// Who did something, as the store records it.
///
/// `name` is who the caller *is*: on the control socket the peer's Unix user as the kernel reports it
/// (SO_PEERCRED; `uid:N` when the uid has no password entry), on loopback TCP the bearer token's name, or
/// one of the daemon's own actors (`signal`). `uid` is the peer's Unix uid (nil on TCP and for the daemon's
/// own actors). `note` is whatever name the request body gave (a trip's `actor`, a re-arm's `operator`):
/// kept beside the identity, never instead of it, because anyone who can reach the socket can type any name.
public struct AuditActor: Sendable, Hashable, Codable, CustomStringConvertible {
    public var name: String
    public var uid: UInt32?
    public var note: String?

    public init(name: String, uid: UInt32? = nil, note: String? = nil) {
        self.name = name
        self.uid = uid
        self.note = note
    }

    /// `alice (uid 1001, note "on behalf of desk B")`, for logs.
    public var description: String {
        var parts: [String] = []
        if let uid { parts.append("uid \(uid)") }
        if let note { parts.append("note \"\(note)\"") }
        return parts.isEmpty ? name : "\(name) (\(parts.joined(separator: ", ")))"
    }

    /// The same identity with a different note.
    public func noting(_ note: String?) -> AuditActor {
        AuditActor(name: name, uid: uid, note: note)
    }
}

/// The daemon's own actors and tests write a literal (`"signal"`): a literal has no uid and no note. A
/// request's identity is always built from the connection, never from a string the caller sent.
extension AuditActor: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self.init(name: value) }
}
