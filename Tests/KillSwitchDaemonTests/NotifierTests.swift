import AsyncHTTPClient
import Foundation
import Logging
import Testing
import KillSwitchConfig
import KillSwitchCore
@testable import KillSwitchDaemon
import KillSwitchStore

/// Webhook notifications delivered to a real local HTTP server; backoff on a manual clock.
@Suite(.serialized, .timeLimit(.minutes(1))) struct NotifierTests {
    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    static func store() throws -> (Store, String) {
        let directory = NSTemporaryDirectory() + "ks-notify-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return (try Store(options: StoreOptions(path: directory + "/ks.db"), venues: []), directory)
    }

    @Test func eachEventIsPostedAsJSONToTheWebhooksThatAskedForIt() async throws {
        let all = try await WebhookReceiver.start()
        let endsOnly = try await WebhookReceiver.start()
        let (store, directory) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bus = DaemonEventBus()
        let service = NotifierService(events: bus, targets: [NotifyTarget(url: all.url), NotifyTarget(url: endsOnly.url, events: ["incident-end"])],
                                      store: store, clock: ManualClock(), wallClock: WallClock { 1_764_065_700_000 }, logger: Self.logger)
        let task = Task { try await service.run() }
        defer { task.cancel() }

        let incident = try await store.createIncident(scope: Scope(venue: "binance-main"), ruleId: "bot7-alive", actor: nil,
                                                      reason: "heartbeat bot7 missed its deadline", deadlineAt: nil)
        try await store.finishIncident(id: incident.id, state: .incomplete, summary: """
            {"outcome":"incomplete","venues":[{"venue":"binance-main","flat":false,"outcomes":{"cancelled":7,"alreadyClosed":2,"rejected":1},\
            "remaining":[{"orderId":9,"symbol":"BTCUSD_PERP","reason":"rejected"}]}]}
            """)
        bus.publish(.tripped(incident))
        bus.publish(.incidentEnded(incident, outcome: .incomplete, durationNanoseconds: 1_234_000_000))
        bus.publish(.rearmed(incident, operator: "alice", reason: "bot7 restarted", forced: true))
        bus.publish(.armedCheckFailed(venueId: "gate-main", detail: "rejected: HTTP 401: INVALID_KEY"))

        var received = all.received.makeAsyncIterator()
        var bodies: [[String: Any]] = []
        for _ in 0..<4 {
            let post = try #require(await received.next())
            #expect(post.path == "/hook")
            #expect(post.contentType == "application/json")
            bodies.append(post.json)
        }
        #expect(bodies.map { $0["event"] as? String } == ["trip", "incident-end", "rearm", "armed-check-failed"])
        #expect(bodies.allSatisfy { $0["time"] as? String == "2025-11-25T10:15:00.000Z" })

        let trip = bodies[0]
        let tripIncident = try #require(trip["incident"] as? [String: Any])
        #expect(tripIncident["id"] as? Int == Int(incident.id))
        #expect(tripIncident["rule"] as? String == "bot7-alive")
        #expect(tripIncident["reason"] as? String == "heartbeat bot7 missed its deadline")
        #expect((tripIncident["scope"] as? [String: Any])?["venue"] as? String == "binance-main")
        #expect((trip["text"] as? String)?.contains("TRIPPED") == true)

        let end = bodies[1]
        #expect(end["outcome"] as? String == "incomplete")
        #expect(end["durationMs"] as? Int == 1234)
        #expect(end["counts"] as? [String: Int] == ["cancelled": 7, "alreadyClosed": 2, "rejected": 1])
        #expect(end["remaining"] as? Int == 1)

        let rearm = try #require(bodies[2]["rearm"] as? [String: Any])
        #expect(rearm["operator"] as? String == "alice")
        #expect(rearm["forced"] as? Bool == true)

        #expect(bodies[3]["venue"] as? String == "gate-main")
        #expect(bodies[3]["detail"] as? String == "rejected: HTTP 401: INVALID_KEY")

        // The webhook that asked for incident ends only: the trip published before it never arrives.
        var endsIterator = endsOnly.received.makeAsyncIterator()
        #expect(try #require(await endsIterator.next()).json["event"] as? String == "incident-end")
        await all.stop()
        await endsOnly.stop()
    }

    @Test func aFailedDeliveryIsRetriedWithCappedExponentialBackoff() async throws {
        let receiver = try await WebhookReceiver.start(statuses: [.serviceUnavailable, .internalServerError, .badGateway])
        let bus = DaemonEventBus()
        let clock = ManualClock()
        var settings = WebhookDelivery.Settings()
        settings.retry = RetryPolicy(initial: .seconds(1), maximum: .seconds(3), jitter: 0)
        let service = NotifierService(events: bus, targets: [NotifyTarget(url: receiver.url)], store: nil, settings: settings, clock: clock, logger: Self.logger)
        let task = Task { try await service.run() }
        defer { task.cancel() }

        bus.publish(.armedCheckFailed(venueId: "v1", detail: "down"))
        var received = receiver.received.makeAsyncIterator()
        let first = try #require(await received.next())              // 503
        for (attempt, backoff) in [(2, Duration.seconds(1)), (3, .seconds(2)), (4, .seconds(3))] {
            await clock.waitForSleepers(count: 1)
            #expect(clock.nextDeadline == clock.now.advanced(by: backoff), "before attempt \(attempt)")
            clock.advance(by: backoff - .milliseconds(1))
            #expect(clock.sleeperCount == 1, "not yet")
            clock.advance(by: .milliseconds(1))
            let retry = try #require(await received.next())
            #expect(retry.body == first.body, "the same notification, attempt \(attempt)")
        }
        // Delivered (200) on the 4th attempt: the next notification goes out at once, no clock involved.
        bus.publish(.armedCheckFailed(venueId: "v2", detail: "down"))
        #expect(try #require(await received.next()).json["venue"] as? String == "v2")
        await receiver.stop()
    }

    @Test func aWebhookThatStaysDownLosesTheOldestQueuedNotifications() async throws {
        let receiver = try await WebhookReceiver.start(statuses: Array(repeating: .serviceUnavailable, count: 2))
        let clock = ManualClock()
        var settings = WebhookDelivery.Settings()
        settings.queueCapacity = 2
        settings.maxAttempts = 2
        let delivery = WebhookDelivery(target: NotifyTarget(url: receiver.url), settings: settings, logger: Self.logger)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let task = Task { await delivery.run(send: WebhookDelivery.httpSend(client: http), clock: clock) }
        func payload(_ venue: String) -> WebhookPayload {
            WebhookPayload(event: "armed-check-failed", time: "t", host: "h", text: venue, venue: venue, detail: "down")
        }

        delivery.enqueue(payload("v1"))
        var received = receiver.received.makeAsyncIterator()
        #expect(try #require(await received.next()).json["venue"] as? String == "v1")   // 503
        // v1 is out of the queue (being retried); the queue holds two: v4 pushes v2 out.
        for venue in ["v2", "v3", "v4"] { delivery.enqueue(payload(venue)) }
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        #expect(try #require(await received.next()).json["venue"] as? String == "v1")   // 503 again: given up after 2 attempts
        #expect(try #require(await received.next()).json["venue"] as? String == "v3")
        #expect(try #require(await received.next()).json["venue"] as? String == "v4")
        delivery.finish()
        await task.value
        try await http.shutdown()
        await receiver.stop()
    }

    @Test func loggedWebhookURLsLoseTheirPathQueryAndCredentials() {
        #expect(Redaction.url("https://user:pass@hooks.example.com/k/s?token=abc#x") == "https://hooks.example.com/…")
        #expect(Redaction.url("https://hooks.slack.com/services/T000/B000/XXXXSECRET") == "https://hooks.slack.com/…")
        #expect(Redaction.url("http://127.0.0.1:8080") == "http://127.0.0.1:8080")
        #expect(Redaction.url("not a url") == "<unparseable url>")
    }
}
