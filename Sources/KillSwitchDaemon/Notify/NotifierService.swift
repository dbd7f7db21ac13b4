import AsyncHTTPClient
import Crypto
import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchStore
import Logging
import ServiceLifecycle

/// `[[notify]]` webhooks: listens on the daemon's event bus and hands each event to the webhooks that
/// asked for it. Publishing an event only appends to an in-memory stream, and each webhook has its own
/// queue and task, so a slow or dead webhook never delays a cancel (nor another webhook).
///
/// It has its own `HTTPClient` rather than the venues' shared one: webhook hosts, timeouts and failures
/// stay out of the connection pools the cancels use.
public struct NotifierService: Service {
    public enum StartError: Error, CustomStringConvertible, Equatable {
        /// A `[[notify]]` names a variable (`secret_env`, `routing_key_env`) that is unset or empty.
        case missingVariable(path: String, variable: String)

        public var description: String {
            switch self {
            case .missingVariable(let path, let variable):
                "\(path): environment variable \(variable) is not set; refusing to send this webhook unsigned or without its key"
            }
        }
    }

    /// Subscribed at construction, so nothing published between building the services and running them
    /// is missed.
    let subscription: AsyncStream<DaemonEvent>
    let deliveries: [WebhookDelivery]
    /// Variables named in the config but unset (`ConfigLoader.resolve` refuses such a config before `run`;
    /// this catches a daemon built without it).
    let missing: [StartError]
    let store: Store?
    let clock: any Clock<Duration>
    let wallClock: WallClock
    let logger: Logger
    let send: WebhookDelivery.Send?
    let host: String

    static let shutdownGrace: Duration = .seconds(3)

    public init(daemon: Daemon, clock: any Clock<Duration> = ContinuousClock()) {
        self.init(events: daemon.events, targets: daemon.configuration.notify, environment: daemon.options.environment, store: daemon.store,
                  clock: clock, logger: daemon.logger)
    }

    init(events: DaemonEventBus, targets: [NotifyTarget], environment: [String: String] = [:], store: Store?, settings: WebhookDelivery.Settings = .init(),
         clock: any Clock<Duration>, wallClock: WallClock = .system, host: String = ProcessInfo.processInfo.hostName, logger: Logger,
         send: WebhookDelivery.Send? = nil) {
        // No webhooks: no subscription (an unread stream would only grow).
        self.subscription = targets.isEmpty ? AsyncStream { $0.finish() } : events.subscribe()
        var missing: [StartError] = []
        self.deliveries = targets.enumerated().map { index, target in
            func read(_ key: String, _ variable: String?) -> String? {
                guard let variable else { return nil }
                guard let value = environment[variable], !value.isEmpty else {
                    missing.append(.missingVariable(path: "notify[\(index)].\(key)", variable: variable))
                    return nil
                }
                return value
            }
            let secrets = WebhookDelivery.Secrets(signingKey: read("secret_env", target.secretEnv).map { SymmetricKey(data: Data($0.utf8)) },
                                                  routingKey: read("routing_key_env", target.routingKeyEnv))
            return WebhookDelivery(target: target, settings: settings, secrets: secrets, logger: logger)
        }
        self.missing = missing
        self.store = store
        self.clock = clock
        self.wallClock = wallClock
        self.logger = logger
        self.send = send
        self.host = host
    }

    public func run() async throws {
        if let first = missing.first { throw first }
        guard !deliveries.isEmpty else { return }
        let client: HTTPClient? = send == nil ? HTTPClient(eventLoopGroupProvider: .singleton) : nil
        // Each request carries its own webhook's timeout.
        let send = self.send ?? WebhookDelivery.httpSend(client: client!)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [deliveries, clock, wallClock] in
                await withDiscardingTaskGroup { deliveryGroup in
                    for delivery in deliveries {
                        deliveryGroup.addTask { await delivery.run(send: send, clock: clock, wallClock: wallClock) }
                    }
                }
            }
            for await event in subscription.cancelOnGracefulShutdown() {
                await route(event)
            }
            // Shutting down: what is queued gets a short grace (real time) to go out, then is cancelled —
            // a dead webhook must not hold the daemon's stop for its whole retry schedule.
            for delivery in deliveries { delivery.finish() }
            group.addTask { try? await Task.sleep(for: NotifierService.shutdownGrace) }
            _ = await group.next()
            group.cancelAll()
        }
        try? await client?.shutdown()
    }

    func route(_ event: DaemonEvent) async {
        let name = WebhookPayload.eventName(event)
        let interested = deliveries.filter { $0.wants(name) }
        guard !interested.isEmpty else { return }
        let store = self.store
        let payload = await WebhookPayload.make(event, now: wallClock.now(), host: host) { id in
            guard let summary = try? await store?.incident(id: id)?.summary else { return nil }
            return IncidentEndCounts(summaryJSON: summary)
        }
        for delivery in interested { delivery.enqueue(payload) }
    }
}
