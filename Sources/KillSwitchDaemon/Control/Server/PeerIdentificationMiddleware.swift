import Hummingbird
import Logging
import NIOCore

/// On the Unix socket: identifies the caller from the kernel — uid and primary gid (SO_PEERCRED), user
/// name (password database), supplementary groups (`PeerGroups`) — and sets the role `policy` gives them.
/// Read per request, not cached per connection: it is two getsockopt calls, and a role must never outlive
/// what it was decided from.
struct PeerIdentificationMiddleware: RouterMiddleware {
    typealias Context = ControlRequestContext

    let policy: ControlAccessPolicy

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.caller = await Self.identify(context.channel, policy: policy, logger: context.logger)
        return try await next(request, context)
    }

    static func identify(_ channel: any Channel, policy: ControlAccessPolicy, logger: Logger) async -> ControlCaller {
        guard let credentials = await PeerCredentials.of(channel) else {
            logger.warning("cannot read the control socket peer's credentials (SO_PEERCRED): it may only trip")
            return .unidentifiedPeer
        }
        let user = PeerCredentials.userName(uid: credentials.uid)
        let groups: [UInt32]
        if let fromKernel = await PeerGroups.fromKernel(channel) {
            groups = fromKernel
        } else if let user {
            groups = PeerGroups.fromGroupDatabase(user: user, primaryGid: credentials.gid)
        } else {
            groups = []
        }
        return ControlCaller(name: user ?? "uid:\(credentials.uid)", uid: credentials.uid,
                             role: policy.role(uid: credentials.uid, gid: credentials.gid, groups: groups), via: .unixSocket)
    }
}
