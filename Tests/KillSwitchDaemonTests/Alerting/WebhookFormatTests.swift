import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import Synchronization
import Testing
import KillSwitchConfig
import KillSwitchCore
@testable import KillSwitchDaemon
import KillSwitchStore

/// Webhooks in the shapes Slack, Discord and PagerDuty take, signed so a receiver can verify them; posted to
/// a real local HTTP server.
@Suite(.serialized, .timeLimit(.minutes(1))) struct WebhookFormatTests {
    static let now: Int64 = 1_764_065_700_123
    static let host = "ks-test-host"

    static var quiet: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return logger
    }

    static func incident(id: Int64 = 17) -> IncidentRecord {
        IncidentRecord(id: id, scope: Scope(venue: "binance-main"), ruleId: "bot7-alive", actor: nil, reason: "heartbeat bot7 missed its deadline", state: .running,
                       trippedAt: now - 5_000, deadlineAt: nil, endedAt: nil, summary: nil, rearmedAt: nil, rearmedBy: nil, rearmReason: nil, rearmForced: false)
    }

    static func service(_ targets: [NotifyTarget], bus: DaemonEventBus, environment: [String: String] = [:], logger: Logger = quiet,
                        send: WebhookDelivery.Send? = nil) -> NotifierService {
        NotifierService(events: bus, targets: targets, environment: environment, store: nil, clock: ManualClock(), wallClock: WallClock { now }, host: host,
                        logger: logger, send: send)
    }

    static func hex(_ mac: some Sequence<UInt8>) -> String { mac.map { String(format: "%02x", $0) }.joined() }

    @Test func aSignedRequestVerifiesWithTheReceiversOwnHMAC() async throws {
        let receiver = try await WebhookReceiver.start()
        let bus = DaemonEventBus()
        let service = Self.service([NotifyTarget(url: receiver.url, secretEnv: "HOOK_SECRET")], bus: bus, environment: ["HOOK_SECRET": "s3cret-key"])
        let task = Task { try await service.run() }
        defer { task.cancel() }
        bus.publish(.tripped(Self.incident()))
        var received = receiver.received.makeAsyncIterator()
        let post = try #require(await received.next())

        let timestamp = try #require(post.headers["x-killswitch-timestamp"])
        #expect(timestamp == String(Self.now / 1_000), "Unix seconds of the attempt")
        let signature = try #require(post.headers["x-killswitch-signature"])
        // The receiver's side: HMAC-SHA256 over "<timestamp>.<raw body>" with the shared key.
        let key = SymmetricKey(data: Data("s3cret-key".utf8))
        let expected = "sha256=" + Self.hex(HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).".utf8) + post.body, using: key))
        #expect(signature == expected)
        // Any other key, timestamp or body does not verify.
        let otherKey = "sha256=" + Self.hex(HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).".utf8) + post.body, using: SymmetricKey(data: Data("other".utf8))))
        let otherTime = "sha256=" + Self.hex(HMAC<SHA256>.authenticationCode(for: Data("\(Int64(timestamp)! - 600).".utf8) + post.body, using: key))
        #expect(signature != otherKey && signature != otherTime)
        #expect(post.json["event"] as? String == "trip", "the generic body, unchanged by signing")
        await receiver.stop()
    }

    @Test func anUnsignedWebhookCarriesNoSignatureHeaders() async throws {
        let receiver = try await WebhookReceiver.start()
        let bus = DaemonEventBus()
        let service = Self.service([NotifyTarget(url: receiver.url)], bus: bus)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        bus.publish(.tripped(Self.incident()))
        var received = receiver.received.makeAsyncIterator()
        let post = try #require(await received.next())
        #expect(post.headers["x-killswitch-signature"] == nil && post.headers["x-killswitch-timestamp"] == nil)
        await receiver.stop()
    }

    @Test func theDocumentedExampleIsWhatTheSignerComputes() throws {
        let signature = WebhookSignature.sign(body: Data(#"{"event":"trip"}"#.utf8), timestamp: 1_764_065_700, key: SymmetricKey(data: Data("example-secret".utf8)))
        #expect(signature == "sha256=3dfd419156912444479b181da64ebd957cf330c4db9f7f9277c038fbb9f92bf4")
        let doc = try String(contentsOfFile: AlertingFiles.runbookPath, encoding: .utf8)
        #expect(doc.contains("X-Killswitch-Signature: \(signature)"))
        #expect(doc.contains("5 minutes"), "receivers are told to refuse replays older than 5 minutes")
    }

    @Test func slackAndDiscordGetOneLineTheyShowAsIs() async throws {
        let slack = try await WebhookReceiver.start()
        let discord = try await WebhookReceiver.start()
        let bus = DaemonEventBus()
        let service = Self.service([NotifyTarget(url: slack.url, format: .slack), NotifyTarget(url: discord.url, format: .discord)], bus: bus)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        bus.publish(.tripped(Self.incident()))
        bus.publish(.armedCheckFailed(venueId: "gate-main", detail: "rejected: HTTP 401 @everyone"))

        var slackPosts = slack.received.makeAsyncIterator()
        let slackTrip = try #require(await slackPosts.next()).json
        #expect(Set(slackTrip.keys) == ["text"])
        let text = try #require(slackTrip["text"] as? String)
        #expect(text.hasPrefix("killswitch TRIPPED") && text.contains("incident 17") && text.contains("[host \(Self.host)]"), "\(text)")
        #expect((try #require(await slackPosts.next()).json["text"] as? String)?.contains("armed check FAILED on gate-main") == true)

        var discordPosts = discord.received.makeAsyncIterator()
        let discordTrip = try #require(await discordPosts.next()).json
        #expect(Set(discordTrip.keys) == ["content", "username", "allowed_mentions"])
        #expect((discordTrip["content"] as? String)?.hasPrefix("killswitch TRIPPED") == true)
        #expect(discordTrip["username"] as? String == "killswitch")
        let failed = try #require(await discordPosts.next()).json
        // A venue's error text may contain "@everyone": Discord is told to ping no one.
        #expect((failed["allowed_mentions"] as? [String: Any])?["parse"] as? [String] == [])
        await slack.stop()
        await discord.stop()
    }

    @Test func pagerDutyTriggersOnTripAndIncompleteResolvesOnRearmAndHearsNothingOfAFlatEnd() async throws {
        let receiver = try await WebhookReceiver.start()
        let bus = DaemonEventBus()
        let target = NotifyTarget(url: receiver.url, format: .pagerduty, routingKeyEnv: "PD_KEY")
        let service = Self.service([target], bus: bus, environment: ["PD_KEY": "R0UTINGKEY0123456789abcdef012345"])
        let task = Task { try await service.run() }
        defer { task.cancel() }
        let incident = Self.incident()
        bus.publish(.tripped(incident))
        bus.publish(.incidentEnded(incident, outcome: .flat, durationNanoseconds: 900_000_000))
        bus.publish(.incidentEnded(incident, outcome: .incomplete, durationNanoseconds: 120_000_000_000))
        bus.publish(.rearmed(incident, operator: "alice", reason: "bot7 restarted", forced: false))
        bus.publish(.armedCheckFailed(venueId: "gate-main", detail: "rejected: HTTP 401"))

        var posts = receiver.received.makeAsyncIterator()
        var events: [[String: Any]] = []
        for _ in 0..<4 { events.append(try #require(await posts.next()).json) }
        let dedup = "killswitch:\(Self.host):incident:17"
        #expect(events.map { $0["event_action"] as? String } == ["trigger", "trigger", "resolve", "trigger"])
        #expect(events.map { $0["dedup_key"] as? String } == [dedup, dedup, dedup, "killswitch:\(Self.host):armed-check:gate-main"])
        #expect(events.allSatisfy { $0["routing_key"] as? String == "R0UTINGKEY0123456789abcdef012345" })

        let trip = try #require(events[0]["payload"] as? [String: Any])
        #expect(trip["severity"] as? String == "critical")
        #expect(trip["source"] as? String == Self.host)
        #expect(trip["class"] as? String == "trip")
        #expect(trip["component"] as? String == "binance-main")
        #expect((trip["summary"] as? String)?.hasPrefix("killswitch TRIPPED") == true)
        #expect((trip["custom_details"] as? [String: Any])?["incident"] as? String == "17")
        let incomplete = try #require(events[1]["payload"] as? [String: Any])
        #expect(incomplete["class"] as? String == "incident-incomplete")
        #expect((incomplete["summary"] as? String)?.contains("INCOMPLETE") == true)
        #expect(events[2]["payload"] == nil, "a resolve carries the key alone")
        // (The flat end, published second, sent nothing: otherwise the second post would be its.)
        #expect((events[3]["payload"] as? [String: Any])?["severity"] as? String == "error")
        await receiver.stop()
    }

    @Test func eachWebhookSendsWithItsOwnTimeout() async throws {
        let seen = Locked<[String: Duration]>([:])
        let bus = DaemonEventBus()
        let (sent, sink) = AsyncStream<Void>.makeStream()
        let service = Self.service([NotifyTarget(url: "http://a.example/hook", timeout: .seconds(2)), NotifyTarget(url: "http://b.example/hook", timeout: .seconds(45))],
                                   bus: bus) { request in
            seen.withLock { $0[request.url] = request.timeout }
            sink.yield()
            return nil
        }
        let task = Task { try await service.run() }
        defer { task.cancel() }
        bus.publish(.tripped(Self.incident()))
        var iterator = sent.makeAsyncIterator()
        for _ in 0..<2 { _ = await iterator.next() }
        #expect(seen.withLock { $0 } == ["http://a.example/hook": .seconds(2), "http://b.example/hook": .seconds(45)])
    }

    @Test func theHTTPSenderHonoursTheRequestsTimeout() async throws {
        let slow = try await WebhookReceiver.start(delay: .seconds(1))
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let send = WebhookDelivery.httpSend(client: http)
        let started = ContinuousClock.now
        let short = await send(.init(url: slow.url, body: Data("{}".utf8), headers: [], timeout: .milliseconds(200)))
        #expect(short != nil, "timed out")
        #expect(ContinuousClock.now - started < .milliseconds(900))
        let long = await send(.init(url: slow.url, body: Data("{}".utf8), headers: [], timeout: .seconds(10)))
        #expect(long == nil, "delivered: \(long ?? "")")
        try await http.shutdown()
        await slow.stop()
    }

    @Test func aNamedVariableThatIsUnsetStopsTheNotifierNamingItsKey() async throws {
        let service = Self.service([NotifyTarget(url: "http://a.example/hook"), NotifyTarget(url: "http://b.example/hook", secretEnv: "NOT_SET")], bus: DaemonEventBus())
        await #expect(throws: NotifierService.StartError.missingVariable(path: "notify[1].secret_env", variable: "NOT_SET")) { try await service.run() }
    }

    @Test func secretsRoutingKeysAndURLsNeverReachTheLog() async throws {
        let receiver = try await WebhookReceiver.start(statuses: [.serviceUnavailable])
        let logs = Locked<[String]>([])
        let logger = Logger(label: "capture") { _ in CapturingHandler(sink: logs) }
        let clock = ManualClock()
        let bus = DaemonEventBus()
        let targets = [NotifyTarget(url: receiver.url, secretEnv: "S"), NotifyTarget(url: receiver.url, format: .pagerduty, routingKeyEnv: "K")]
        let service = NotifierService(events: bus, targets: targets, environment: ["S": "hmac-secret-value", "K": "routing-key-value"], store: nil,
                                      clock: clock, wallClock: WallClock { Self.now }, host: Self.host, logger: logger)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        bus.publish(.tripped(Self.incident()))
        var posts = receiver.received.makeAsyncIterator()
        _ = try #require(await posts.next())   // 503: logged and retried
        _ = try #require(await posts.next())
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        _ = try #require(await posts.next())
        let text = logs.withLock { $0.joined(separator: "\n") }
        #expect(text.contains("notification failed"), "the failure was logged: \(text)")
        for secret in ["hmac-secret-value", "routing-key-value", "not-for-logs", "/hook"] {
            #expect(!text.contains(secret), "\(secret) in the log")
        }
        await receiver.stop()
    }
}

/// A value behind a lock that closures can share (a `Mutex` itself cannot be captured).
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    func withLock<T: Sendable>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}

/// Keeps every log line (message and metadata) for the redaction test.
private struct CapturingHandler: LogHandler {
    let sink: Locked<[String]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        sink.withLock { $0.append("\(event.level) \(event.message) \(merged)") }
    }
}
