import Hummingbird
import NIOCore

/// The request context of the control API: Hummingbird's core storage, the connection's channel (from
/// which the caller's credentials are read on the socket), and the caller once identified.
public struct ControlRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    let channel: any Channel
    /// Set by `PeerIdentificationMiddleware` (socket) or `BearerTokenMiddleware` (TCP) before any route runs;
    /// until then nobody is trusted with more than a trip.
    var caller: ControlCaller = .unidentifiedPeer

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
