import AsyncHTTPClient
import Foundation
import KillSwitchConfig
import KillSwitchCore
@testable import KillSwitchDaemon
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// A daemon running its own services as `killswitch run` does — engine, metrics, maintenance, latched sweep,
/// notifier, control server and the `[metrics]` listener on a free port — against `EngineHarness`'s
/// venue-sim. Only the signal and systemd services are left out: they belong to a process, and this one is
/// the test runner.
struct RunningDaemon {
    struct Answer {
        var status: Int
        var contentType: String?
        var text: String
    }

    let harness: EngineHarness
    let daemon: Daemon
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let metricsPort: Int

    static func start(rules: [RuleDefinition] = [], engine: EngineSettings = EngineSettings(incidentDeadline: .seconds(90), retryInitial: .milliseconds(20), retryMax: .milliseconds(500), safetyMargin: 0),
                      notify: [NotifyTarget] = [], environment: [String: String] = [:]) async throws -> RunningDaemon {
        let harness = try await EngineHarness.start(rules: rules, engine: engine)
        var configuration = harness.configuration
        configuration.metrics = MetricsSettings(listen: MetricsListenAddress(host: "127.0.0.1", port: 0))
        configuration.notify = notify
        var logger = Logger(label: "running-daemon")
        logger.logLevel = .critical
        let daemon = try await Daemon(configuration: configuration, credentials: harness.credentials, options: Daemon.Options(environment: environment), logger: logger)
        let services = daemon.services().filter { !($0.service is StaysUntilShutdown<SignalService>) && !($0.service is StaysUntilShutdown<ServiceManagerService<ContinuousClock>>) }
        // The test process must not trap signals or talk to systemd: both really are left out.
        precondition(services.count == daemon.services().count - 2, "the signal and service-manager services were not found to leave out")
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        let task = Task { try await group.run() }
        guard let port = await Self.within(.seconds(30), { await daemon.metricsEndpoint.waitForPort() }) ?? nil else {
            await group.triggerGracefulShutdown()
            try? await daemon.shutdown()
            await harness.shutdown()
            throw CancellationError()
        }
        return RunningDaemon(harness: harness, daemon: daemon, group: group, task: task, metricsPort: port)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await task.value
        try? await daemon.shutdown()
        await harness.shutdown()
    }

    /// A request to the metrics listener.
    func request(_ method: HTTPMethod, _ path: String) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(metricsPort)\(path)")
        request.method = method
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        var body = try await response.body.collect(upTo: 16 << 20)
        return Answer(status: Int(response.status.code), contentType: response.headers.first(name: "content-type"),
                      text: body.readString(length: body.readableBytes) ?? "")
    }

    /// `GET /metrics` from the listener, parsed.
    func scrape() async throws -> PrometheusText {
        let answer = try await request(.GET, "/metrics")
        guard answer.status == 200 else { throw ScrapeError(status: answer.status) }
        return PrometheusText(answer.text)
    }

    struct ScrapeError: Error { var status: Int }

    /// Scrapes until `condition` holds or `timeout` passes; returns the last scrape either way (the caller's
    /// expectations then say what did not hold).
    func scrape(until condition: (PrometheusText) -> Bool, within timeout: Duration = .seconds(20)) async throws -> PrometheusText {
        let deadline = ContinuousClock.now + timeout
        var last = try await scrape()
        while !condition(last), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            last = try await scrape()
        }
        return last
    }

    /// `body`'s result, or nil once `timeout` has passed.
    static func within<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async -> T) async -> T? {
        await withTaskGroup(of: T?.self) { group in
            group.addTask { await body() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }
}
