#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import KillSwitchConfig
import KillSwitchCore
@testable import KillSwitchDaemon

/// sd_notify over a real datagram socket: READY=1 once the control socket listens, WATCHDOG=1 only after a
/// round trip through the trip engine and the rule engine (none while either is wedged), STOPPING=1 at
/// shutdown; nothing at all without NOTIFY_SOCKET.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ServiceManagerTests {
    static func directory() throws -> String {
        let path = NSTemporaryDirectory() + "ks-notify-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "notify-test")
        logger.logLevel = .critical
        return logger
    }

    /// A daemon with no venues (the engine and rule engine are all the watchdog needs).
    static func daemon(in directory: String) async throws -> Daemon {
        let configuration = KillSwitchConfiguration(database: directory + "/ks.db", socket: directory + "/c.sock")
        return try await Daemon(configuration: configuration, credentials: [:], options: Daemon.Options(environment: [:]), logger: quietLogger)
    }

    /// The service's steps as a stream.
    final class Steps: Sendable {
        let stream: AsyncStream<ServiceManagerService<ManualClock>.Step>
        let continuation: AsyncStream<ServiceManagerService<ManualClock>.Step>.Continuation

        init() { (stream, continuation) = AsyncStream.makeStream() }

        func next(_ wanted: ServiceManagerService<ManualClock>.Step) async -> Bool {
            for await step in stream where step == wanted { return true }
            return false
        }
    }

    @Test func notifierAddressesPathsAndAbstractNames() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for address in [directory + "/notify", "@ks-notify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"] {
            let receiver = try NotifySocketReceiver(address: address)
            let notifier = try #require(try ServiceManagerNotifier(environment: ["NOTIFY_SOCKET": address]))
            #expect(notifier.send("READY=1") == nil, "\(address)")
            #expect(receiver.pending() == "READY=1", "\(address)")
        }
        #expect(try ServiceManagerNotifier(environment: [:]) == nil)
        #expect(try ServiceManagerNotifier(environment: ["NOTIFY_SOCKET": ""]) == nil)
        #expect(throws: ServiceManagerNotifier.Failure.unsupportedAddress("vsock:2:1234")) {
            try ServiceManagerNotifier(environment: ["NOTIFY_SOCKET": "vsock:2:1234"])
        }
        // Nobody listening: reported, never thrown or blocking.
        let orphan = try ServiceManagerNotifier(address: directory + "/nobody")
        #expect(orphan.send("WATCHDOG=1") != nil)
    }

    @Test func watchdogIntervalIsHalfWhatSystemdAsks() {
        #expect(ServiceManagerNotifier.watchdogPingInterval(environment: ["WATCHDOG_USEC": "30000000"]) == .seconds(15))
        #expect(ServiceManagerNotifier.watchdogPingInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(getpid())"]) == .seconds(15))
        // Meant for another process, absent, or nonsense: no watchdog.
        #expect(ServiceManagerNotifier.watchdogPingInterval(environment: ["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "\(getpid() + 1)"]) == nil)
        #expect(ServiceManagerNotifier.watchdogPingInterval(environment: [:]) == nil)
        #expect(ServiceManagerNotifier.watchdogPingInterval(environment: ["WATCHDOG_USEC": "0"]) == nil)
        #expect(ServiceManagerNotifier.watchdogPingInterval(environment: ["WATCHDOG_USEC": "soon"]) == nil)
    }

    /// READY=1 only once ready; then one WATCHDOG=1 per interval of the injected clock, each after the
    /// engines' round trip; STOPPING=1 at graceful shutdown.
    @Test func readyThenAPingPerIntervalThenStopping() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let daemon = try await Self.daemon(in: directory)
        let receiver = try NotifySocketReceiver(address: directory + "/notify")
        let clock = ManualClock()
        let ready = ReadinessSignal()
        let steps = Steps()
        let continuation = steps.continuation
        let service = ServiceManagerService(environment: ["NOTIFY_SOCKET": receiver.address, "WATCHDOG_USEC": "2000000"], ready: ready,
                                           probe: livenessProbe(daemon), clock: clock, logger: Self.quietLogger,
                                           observe: { continuation.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [service], logger: Self.quietLogger))
        let running = Task { try await group.run() }

        #expect(await steps.next(.waitingUntilReady))
        #expect(receiver.pending() == nil, "nothing may be sent before the daemon is ready")
        ready.fulfil()
        #expect(await receiver.next() == "READY=1\nSTATUS=control socket listening")
        for tick in 1...3 {
            await clock.waitForSleepers(count: 1)
            #expect(receiver.pending() == nil, "tick \(tick): a ping before its interval passed")
            clock.advance(by: .seconds(1))
            #expect(await receiver.next() == "WATCHDOG=1", "tick \(tick)")
        }
        await group.triggerGracefulShutdown()
        #expect(await receiver.next() == "STOPPING=1")
        try await running.value
        try await daemon.shutdown()
    }

    enum WedgedActor: String, CaseIterable, Sendable { case tripEngine, ruleEngine }

    /// With the trip engine's (or the rule engine's) actor stuck inside a synchronous call, the tick's round
    /// trip cannot complete and no WATCHDOG=1 leaves, however much time passes; released, the ping follows.
    @Test(arguments: WedgedActor.allCases)
    func noPingWhileAnEngineIsWedged(_ wedged: WedgedActor) async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let daemon = try await Self.daemon(in: directory)
        let receiver = try NotifySocketReceiver(address: directory + "/notify")
        let clock = ManualClock()
        let ready = ReadinessSignal()
        ready.fulfil()
        let steps = Steps()
        let continuation = steps.continuation
        let service = ServiceManagerService(environment: ["NOTIFY_SOCKET": receiver.address, "WATCHDOG_USEC": "2000000"], ready: ready,
                                           probe: livenessProbe(daemon), clock: clock, logger: Self.quietLogger,
                                           observe: { continuation.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [service], logger: Self.quietLogger))
        let running = Task { try await group.run() }
        #expect(await receiver.next()?.hasPrefix("READY=1") == true)
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        #expect(await receiver.next() == "WATCHDOG=1")

        // Wedge the actor: a synchronous wait on its own executor (the test hook), entered before going on.
        let gate = ActorWedge()
        let wedge = Task.detached {
            switch wedged {
            case .tripEngine: await gate.hold(daemon.engine)
            case .ruleEngine: await gate.hold(daemon.rules)
            }
        }
        await gate.entered()
        await clock.waitForSleepers(count: 1)
        clock.advance(by: .seconds(1))
        #expect(await steps.next(.probing(2)))
        // The probe is parked on the wedged actor: the ping it would send cannot have left, and the loop,
        // stuck in the probe, sleeps no more (later intervals send nothing either).
        #expect(receiver.pending() == nil)
        clock.advance(by: .seconds(5))
        #expect(clock.sleeperCount == 0)
        #expect(receiver.pending() == nil)

        gate.release()
        await wedge.value
        #expect(await receiver.next() == "WATCHDOG=1")
        await group.triggerGracefulShutdown()
        try await running.value
        try await daemon.shutdown()
    }

    /// Without NOTIFY_SOCKET the service ends at once and sends nothing (the daemon keeps running).
    @Test func withoutNotifySocketItIsANoOp() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let daemon = try await Self.daemon(in: directory)
        let steps = Mutex<[ServiceManagerService<ManualClock>.Step]>([])
        let service = ServiceManagerService(environment: ["WATCHDOG_USEC": "2000000"], ready: ReadinessSignal(), probe: livenessProbe(daemon),
                                           clock: ManualClock(), logger: Self.quietLogger, observe: { step in steps.withLock { $0.append(step) } })
        await service.run()
        #expect(steps.withLock { $0 }.isEmpty)
        try await daemon.shutdown()
    }
}

/// Holds an actor inside a synchronous call until released: the "wedged engine" the watchdog must notice.
/// It blocks one thread of the cooperative pool while held, so tests hold it briefly.
final class ActorWedge: Sendable {
    private let release_ = DispatchSemaphore(value: 0)
    private let entered_ = ReadinessSignal()

    func hold(_ actor: isolated any Actor) {
        entered_.fulfil()
        release_.wait()
    }

    func entered() async { await entered_.wait() }
    func release() { release_.signal() }
}
