import Hummingbird
import NIOCore

/// The request context of the control API: Hummingbird's core storage plus the connection's channel, from
/// which the caller's Unix user is read (SO_PEERCRED) on the socket.
public struct ControlRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// Whether the request came over the Unix socket (as opposed to loopback TCP).
    var isUnixSocket: Bool {
        if case .unixDomainSocket? = channel.localAddress { return true }
        return false
    }

    /// Who is calling: the peer's Unix user name on the socket (uid when it has no name), "api" on TCP.
    func caller() async -> String {
        guard isUnixSocket else { return "api" }
        guard let credentials = await PeerCredentials.of(channel) else { return "unknown-peer" }
        return PeerCredentials.userName(uid: credentials.uid) ?? "uid:\(credentials.uid)"
    }
}
