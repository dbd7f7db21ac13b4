import Hummingbird
import NIOCore

/// Request context that keeps the connection's channel: a `resetRate` fault closes it without answering,
/// and Binance's weight is counted per peer IP.
struct SimRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
