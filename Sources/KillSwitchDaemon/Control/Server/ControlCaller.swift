import KillSwitchStore

/// Who is calling the control API, as the kernel (Unix socket: SO_PEERCRED and the peer's groups) or the
/// bearer token (loopback TCP) says — never as the request body says — and the role that grants.
struct ControlCaller: Sendable, Hashable {
    /// The peer's user name (`uid:N` when the uid has no password entry), or the TCP token's name.
    var name: String
    /// The peer's Unix uid; nil on TCP.
    var uid: UInt32?
    var role: ControlRole
    /// How the role was decided, for a 403's message: which group or token would have granted more.
    var via: Via

    enum Via: Sendable, Hashable {
        case unixSocket
        case tcpToken
    }

    /// A socket peer whose credentials could not be read: trusted with nothing but a trip.
    static let unidentifiedPeer = ControlCaller(name: "unidentified-peer", uid: nil, role: .anyone, via: .unixSocket)

    /// The identity recorded with what the caller does; `note` is the name the body gave, if any.
    func actor(note: String? = nil) -> AuditActor {
        AuditActor(name: name, uid: uid, note: note)
    }
}
