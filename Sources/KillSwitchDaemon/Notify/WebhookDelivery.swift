import AsyncHTTPClient
import Foundation
import KillSwitchConfig
import KillSwitchCore
import Logging

/// One webhook's outbox: a bounded queue drained by one task that POSTs each notification in order,
/// retrying with capped exponential backoff. A webhook that stays down long enough for the queue to fill
/// loses its oldest notifications (each drop logged) — never memory, and never a cancel's time: publishing
/// only enqueues.
final class WebhookDelivery: Sendable {
    /// How a notification is sent; `nil` means delivered, otherwise why not (HTTP status or error).
    typealias Send = @Sendable (_ url: String, _ body: Data) async -> String?

    struct Settings: Sendable, Hashable {
        /// Backoff between attempts (no jitter: one daemon, one webhook, nothing to de-synchronise).
        var retry = RetryPolicy(initial: .seconds(1), maximum: .seconds(60), jitter: 0)
        /// Attempts per notification before it is given up (logged): with the defaults, about 8 minutes.
        var maxAttempts = 12
        /// Notifications waiting per webhook before the oldest is dropped.
        var queueCapacity = 256
        /// Per-attempt timeout.
        var timeout: Duration = .seconds(10)
    }

    let target: NotifyTarget
    let settings: Settings
    private let queue: AsyncStream<WebhookPayload>
    private let inbox: AsyncStream<WebhookPayload>.Continuation
    private let logger: Logger

    init(target: NotifyTarget, settings: Settings, logger: Logger) {
        self.target = target
        self.settings = settings
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

    /// Delivers queued notifications in order until `finish` (or cancellation).
    func run(send: Send, clock: any Clock<Duration>) async {
        for await payload in queue {
            let body = payload.encoded()
            var attempt = 1
            while true {
                guard let failure = await send(target.url, body) else {
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
    /// POSTs `body` as JSON with AsyncHTTPClient; any 2xx is delivered.
    static func httpSend(client: HTTPClient, timeout: Duration) -> Send {
        { url, body in
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "killswitch")
            request.body = .bytes(Array(body))
            do {
                let response = try await client.execute(request, timeout: .milliseconds(timeout.nanoseconds / 1_000_000))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                return (200..<300).contains(Int(response.status.code)) ? nil : "HTTP \(response.status.code)"
            } catch {
                return "\(error)"
            }
        }
    }
}
