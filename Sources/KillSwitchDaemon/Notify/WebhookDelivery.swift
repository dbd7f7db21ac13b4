import AsyncHTTPClient
import Crypto
import Foundation
import KillSwitchConfig
import KillSwitchCore
import Logging

/// One webhook's outbox: a bounded queue drained by one task that POSTs each notification in order, in the
/// webhook's format, signed when it has a secret, retrying with capped exponential backoff. A webhook that
/// stays down long enough for the queue to fill loses its oldest notifications (each drop logged) — never
/// memory, and never a cancel's time: publishing only enqueues.
final class WebhookDelivery: Sendable {
    /// One POST as it leaves: the webhook's own timeout travels with it (each webhook has its own).
    struct Request: Sendable {
        var url: String
        var body: Data
        var headers: [(String, String)]
        var timeout: Duration
    }

    /// How a notification is sent; `nil` means delivered, otherwise why not (HTTP status or error).
    typealias Send = @Sendable (Request) async -> String?

    struct Settings: Sendable, Hashable {
        /// Backoff between attempts (no jitter: one daemon, one webhook, nothing to de-synchronise).
        var retry = RetryPolicy(initial: .seconds(1), maximum: .seconds(60), jitter: 0)
        /// Attempts per notification before it is given up (logged): with the defaults, about 8 minutes.
        var maxAttempts = 12
        /// Notifications waiting per webhook before the oldest is dropped.
        var queueCapacity = 256
    }

    /// What a webhook needs from the environment, read once at start (never logged).
    struct Secrets: Sendable {
        /// Signs each request (`X-Killswitch-Signature`); nil: unsigned.
        var signingKey: SymmetricKey?
        /// PagerDuty's integration key.
        var routingKey: String?

        init(signingKey: SymmetricKey? = nil, routingKey: String? = nil) {
            self.signingKey = signingKey
            self.routingKey = routingKey
        }
    }

    let target: NotifyTarget
    let settings: Settings
    private let secrets: Secrets
    private let queue: AsyncStream<WebhookPayload>
    private let inbox: AsyncStream<WebhookPayload>.Continuation
    private let logger: Logger

    init(target: NotifyTarget, settings: Settings, secrets: Secrets = Secrets(), logger: Logger) {
        self.target = target
        self.settings = settings
        self.secrets = secrets
        var logger = logger
        logger[metadataKey: "webhook"] = "\(Redaction.url(target.url))"
        self.logger = logger
        (queue, inbox) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(max(1, settings.queueCapacity)))
    }

    func wants(_ eventName: String) -> Bool { target.events.contains(eventName) }

    /// Queues a notification; never waits.
    func enqueue(_ payload: WebhookPayload) {
        if case .dropped(let oldest) = inbox.yield(payload) {
            logger.error("webhook queue full: dropped the oldest notification", metadata: ["event": "\(oldest.event)", "text": "\(oldest.text)"])
        }
    }

    /// No more notifications: `run` returns once the queue is drained (or its task is cancelled).
    func finish() { inbox.finish() }

    /// The request for one attempt of a rendered body, signed at `timestamp` (Unix seconds) when the webhook
    /// has a key.
    func request(body: Data, timestamp: Int64) -> Request {
        var headers = [("Content-Type", "application/json"), ("User-Agent", "killswitch")]
        if let key = secrets.signingKey { headers += WebhookSignature.headers(body: body, timestamp: timestamp, key: key) }
        return Request(url: target.url, body: body, headers: headers, timeout: target.timeout)
    }

    /// Delivers queued notifications in order until `finish` (or cancellation).
    func run(send: Send, clock: any Clock<Duration>, wallClock: WallClock = .system) async {
        for await payload in queue {
            guard let body = WebhookRendering.body(payload, format: target.format, routingKey: secrets.routingKey) else {
                logger.debug("notification not sent: this format has nothing for it", metadata: ["event": "\(payload.event)", "format": "\(target.format.rawValue)"])
                continue
            }
            var attempt = 1
            while true {
                // Signed per attempt: a retry minutes later still carries a fresh timestamp.
                guard let failure = await send(request(body: body, timestamp: wallClock.now() / 1_000)) else {
                    logger.debug("notification delivered", metadata: ["event": "\(payload.event)", "attempt": "\(attempt)"])
                    break
                }
                if attempt >= settings.maxAttempts || Task.isCancelled {
                    logger.error("notification given up", metadata: ["event": "\(payload.event)", "attempts": "\(attempt)", "error": "\(failure)", "text": "\(payload.text)"])
                    break
                }
                let delay = settings.retry.delay(attempt: attempt, unit: 0.5)
                logger.warning("notification failed; retrying", metadata: ["event": "\(payload.event)", "attempt": "\(attempt)", "error": "\(failure)", "retryIn": "\(delay)"])
                do { try await clock.sleep(for: delay) } catch { return }
                attempt += 1
            }
        }
    }
}

extension WebhookDelivery {
    /// POSTs with AsyncHTTPClient under the request's own timeout; any 2xx is delivered (PagerDuty answers 202).
    static func httpSend(client: HTTPClient) -> Send {
        { outgoing in
            var request = HTTPClientRequest(url: outgoing.url)
            request.method = .POST
            for (name, value) in outgoing.headers { request.headers.add(name: name, value: value) }
            request.body = .bytes(Array(outgoing.body))
            do {
                let response = try await client.execute(request, timeout: .milliseconds(outgoing.timeout.nanoseconds / 1_000_000))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                return (200..<300).contains(Int(response.status.code)) ? nil : "HTTP \(response.status.code)"
            } catch {
                return "\(error)"
            }
        }
    }
}
