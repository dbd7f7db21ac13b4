import Logging
import ServiceLifecycle
import Synchronization
import Testing
@testable import KillSwitchDaemon

/// A background service that ends on its own while the group shuts the others down must not fail the stop.
@Suite struct StaysUntilShutdownTests {
    /// Ends by itself (nothing to do) once `gate` opens, and says so on `ended`.
    struct EndsOnItsOwn: Service {
        let gate: AsyncStream<Void>
        let ended: AsyncStream<Void>.Continuation
        func run() async throws {
            for await _ in gate { break }
            ended.yield()
        }
    }

    /// Shut down first (it is last in the group): on its shutdown it lets the other one end, and waits until it has.
    struct ShutsDownFirst: Service {
        let openGate: AsyncStream<Void>.Continuation
        let ended: AsyncStream<Void>
        func run() async throws {
            try? await gracefulShutdown()
            openGate.yield()
            for await _ in ended { break }
        }
    }

    static func stop(wrapped: Bool) async -> (any Error)? {
        let (gate, openGate) = AsyncStream<Void>.makeStream()
        let (ended, endedSink) = AsyncStream<Void>.makeStream()
        let background = EndsOnItsOwn(gate: gate, ended: endedSink)
        let first: ServiceGroupConfiguration.ServiceConfiguration = wrapped
            ? .init(service: StaysUntilShutdown(background)) : .init(service: background, successTerminationBehavior: .ignore)
        let group = ServiceGroup(configuration: .init(services: [first, .init(service: ShutsDownFirst(openGate: openGate, ended: ended))],
                                                      logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })))
        let running = Task { try await group.run() }
        await group.triggerGracefulShutdown()
        do { try await running.value } catch { return error }
        return nil
    }

    @Test func aServiceEndingOnItsOwnDuringTheStopIsNotAFailure() async {
        #expect(await Self.stop(wrapped: true) == nil)
    }

    /// The control: unwrapped, the same service fails the group's stop (what made the daemon exit 1).
    @Test func unwrappedTheSameStopFails() async {
        #expect(await Self.stop(wrapped: false) != nil)
    }
}
