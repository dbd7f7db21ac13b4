import AsyncHTTPClient
import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import VenueSim

/// A daemon (against venue-sim, from `EngineHarness`) with its control server up on a temp Unix socket (and
/// TCP when configured): requests go over the real socket with AsyncHTTPClient.
struct ControlFixture {
    let harness: EngineHarness
    let daemon: Daemon
    let server: RunningServer
    let socket: String
    let tcpPort: Int?

    struct Answer {
        var status: Int
        var body: Data
        var headers: [(String, String)]

        var text: String { String(decoding: body, as: UTF8.self) }
        var error: String? { try? JSONDecoder().decode(ControlErrorBody.self, from: body).error }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: body) }
        func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    static func start(rules: [RuleDefinition] = [], badCredentialsFor: Set<String> = [], control: ControlSettings = ControlSettings(),
                      environment: [String: String] = [:], simLatencyMs: Int = 0) async throws -> ControlFixture {
        var sim = VenueSimConfiguration()
        sim.latencyMs = simLatencyMs
        let harness = try await EngineHarness.start(simConfiguration: sim, badCredentialsFor: badCredentialsFor, rules: rules)
        var configuration = harness.configuration
        configuration.control = control
        let daemon = try await Daemon(configuration: configuration, credentials: harness.credentials,
                                      options: Daemon.Options(environment: environment), logger: quietLogger)
        let (server, listeners) = try await startServer(daemon, expecting: control.tcpPort == nil ? 1 : 2)
        var port: Int?
        for case .tcp(let bound) in listeners { port = bound }
        return ControlFixture(harness: harness, daemon: daemon, server: server, socket: configuration.socket, tcpPort: port)
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "control-test")
        logger.logLevel = .critical
        return logger
    }

    /// A control server running in its own service group, stopped the way the daemon stops it: by graceful
    /// shutdown (cancelling Hummingbird with a connection still being accepted trips a NIO assertion).
    struct RunningServer {
        let group: ServiceGroup
        let task: Task<Void, any Error>

        func stop() async {
            await group.triggerGracefulShutdown()
            _ = try? await task.value
        }
    }

    /// Runs a `ControlServer` and returns once `expecting` listeners are up; rethrows the server's error if it
    /// stops before that.
    static func startServer(_ daemon: Daemon, expecting: Int = 1) async throws -> (RunningServer, [ControlServer.Listener]) {
        let (stream, continuation) = AsyncStream<ControlServer.Listener>.makeStream()
        let server = ControlServer(daemon: daemon) { continuation.yield($0) }
        let group = ServiceGroup(configuration: .init(services: [server], logger: quietLogger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var listeners: [ControlServer.Listener] = []
        for await listener in stream {
            listeners.append(listener)
            if listeners.count == expecting { return (RunningServer(group: group, task: task), listeners) }
        }
        try await task.value
        throw CancellationError()
    }

    func stop() async {
        await server.stop()
        try? await daemon.shutdown()
        await harness.shutdown()
    }

    // MARK: Requests

    func request(_ method: HTTPMethod, _ path: String, body: Data? = nil, contentType: String = "application/json", headers: [String: String] = [:],
                 tcp: Bool = false) async throws -> Answer {
        let url: String
        if tcp {
            url = "http://127.0.0.1:\(tcpPort!)\(path)"
        } else {
            url = URL(httpURLWithSocketPath: socket, uri: path)!.absoluteString
        }
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        var buffer = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), body: buffer.readData(length: buffer.readableBytes) ?? Data(),
                      headers: response.headers.map { ($0.name, $0.value) })
    }

    func get(_ path: String, tcp: Bool = false, headers: [String: String] = [:]) async throws -> Answer {
        try await request(.GET, path, headers: headers, tcp: tcp)
    }

    func post(_ path: String, json: String, contentType: String = "application/json", tcp: Bool = false, headers: [String: String] = [:]) async throws -> Answer {
        try await request(.POST, path, body: Data(json.utf8), contentType: contentType, headers: headers, tcp: tcp)
    }

    func post(_ path: String, _ value: some Encodable) async throws -> Answer {
        try await request(.POST, path, body: try JSONEncoder().encode(value))
    }

    /// Waits for the daemon's next trip (a real event, not a poll).
    static func nextTrip(_ events: AsyncStream<DaemonEvent>) async -> Int64? {
        for await event in events {
            if case .tripped(let incident) = event { return incident.id }
        }
        return nil
    }
}
