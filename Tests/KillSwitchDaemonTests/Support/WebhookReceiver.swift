import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A real HTTP server on a free loopback port that records every webhook POST and answers with scripted
/// statuses (then 200), optionally after a delay, for the notifier tests.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var path: String
        var contentType: String?
        var body: Data
        /// Every header, names in lower case.
        var headers: [String: String] = [:]

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    final class Counter: Sendable {
        let value = Mutex(0)
    }

    let port: Int
    let received: AsyncStream<Received>
    private let group: ServiceGroup
    private let task: Task<Void, Never>

    var url: String { "http://127.0.0.1:\(port)/hook?token=not-for-logs" }

    private init(port: Int, received: AsyncStream<Received>, group: ServiceGroup, task: Task<Void, Never>) {
        self.port = port
        self.received = received
        self.group = group
        self.task = task
    }

    /// `statuses`: the answers to the first requests, in order; every later request gets 200. `delay`: how long
    /// each answer waits (the request is recorded at once).
    static func start(statuses: [HTTPResponse.Status] = [], delay: Duration = .zero) async throws -> WebhookReceiver {
        let (received, sink) = AsyncStream<Received>.makeStream()
        let answered = Counter()
        let router = Router()
        router.post("hook") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 1 << 20)
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            sink.yield(Received(path: request.uri.path, contentType: request.headers[.contentType], body: Data(body.readableBytesView), headers: headers))
            if delay > .zero { try? await Task.sleep(for: delay) }
            let index = answered.value.withLock { n in
                defer { n += 1 }
                return n
            }
            return index < statuses.count ? statuses[index] : .ok
        }
        var logger = Logger(label: "webhook-receiver")
        logger.logLevel = .critical
        let (ports, portSink) = AsyncStream<Int>.makeStream()
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { portSink.yield($0.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        let task = Task { do { try await group.run() } catch {} }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else { throw CancellationError() }
        return WebhookReceiver(port: port, received: received, group: group, task: task)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        await task.value
    }
}
