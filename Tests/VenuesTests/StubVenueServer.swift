import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
@testable import Venues

/// A tiny loopback HTTP server for transport tests: records every request as received (Host header,
/// raw query, body bytes) and answers from a closure, optionally after a delay.
final class StubVenueServer: Sendable {
    struct Request: Sendable {
        var method: String
        var uri: String
        var headers: [HTTPField]
        var body: String

        var path: String { String(uri.split(separator: "?", maxSplits: 1).first ?? "") }
        var query: String { uri.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? "" }
        func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    }

    struct Response: Sendable {
        var status: Int
        var headers: [HTTPField] = []
        var body: String
        var delayMilliseconds: Int64 = 0
    }

    typealias Responder = @Sendable (Request, Int) -> Response

    let channel: any Channel
    let port: Int
    private let log: NIOLockedValueBox<[Request]>

    var requests: [Request] { log.withLockedValue { $0 } }
    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(channel: any Channel, log: NIOLockedValueBox<[Request]>) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.log = log
    }

    static func start(_ respond: @escaping Responder) async throws -> StubVenueServer {
        let log = NIOLockedValueBox<[Request]>([])
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(Handler(respond: respond, log: log))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return StubVenueServer(channel: channel, log: log)
    }

    func stop() async {
        try? await channel.close()
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let respond: Responder
        let log: NIOLockedValueBox<[Request]>
        var head: HTTPRequestHead?
        var body = ByteBuffer()

        init(respond: @escaping Responder, log: NIOLockedValueBox<[Request]>) {
            self.respond = respond
            self.log = log
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h):
                head = h
                body.clear()
            case .body(var chunk):
                body.writeBuffer(&chunk)
            case .end:
                guard let head else { return }
                let request = Request(method: head.method.rawValue, uri: head.uri, headers: head.headers.map { HTTPField($0.name, $0.value) },
                                      body: String(buffer: body))
                let index = log.withLockedValue { $0.append(request); return $0.count - 1 }
                let response = respond(request, index)
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                let write = { @Sendable in
                    let context = bound.value
                    var headers = HTTPHeaders(response.headers.map { ($0.name, $0.value) })
                    headers.replaceOrAdd(name: "Content-Length", value: String(response.body.utf8.count))
                    let responseHead = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: response.status), headers: headers)
                    context.write(NIOAny(HTTPServerResponsePart.head(responseHead)), promise: nil)
                    context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(ByteBuffer(string: response.body)))), promise: nil)
                    context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
                }
                if response.delayMilliseconds > 0 {
                    context.eventLoop.scheduleTask(in: .milliseconds(response.delayMilliseconds)) { write() }
                } else {
                    write()
                }
            }
        }
    }
}
