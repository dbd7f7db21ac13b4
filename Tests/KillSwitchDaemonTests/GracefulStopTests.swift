import Foundation
import Testing
import KillSwitchCore
import KillSwitchStore
import VenueSim

/// SIGTERM to a real `killswitch run` in the middle of an incident: a clean exit, the incident's durable
/// state left `running`, and the next start finishes it.
extension EngineIntegration {
@Suite(.serialized, .timeLimit(.minutes(2))) struct GracefulStopTests {
    @Test func sigtermMidIncidentExitsCleanlyAndTheNextStartFinishesIt() async throws {
        var sim = VenueSimConfiguration()
        sim.latencyMs = 200
        let harness = try await EngineHarness.start(simConfiguration: sim)
        defer { Task { await harness.shutdown() } }
        let config = try CrashResumeTests.writeConfig(harness)
        do {
            let store = try Store(options: StoreOptions(path: harness.configuration.database), venues: harness.configuration.venueDescriptors)
            try await harness.seed(perVenue: 60, store: store)
        }

        let daemon = try DaemonProcess(config: config)
        defer { daemon.stop() }
        #expect(await daemon.waitUntilReady(), "log: \(daemon.output)")
        // The maintenance service runs in the daemon: only it asks Binance for exchangeInfo.
        var maintained = false
        let started = ContinuousClock.now
        while !maintained, ContinuousClock.now - started < .seconds(20) {
            maintained = await harness.sim.requests(since: 0).contains { $0.path == "/dapi/v1/exchangeInfo" }
            if !maintained { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(maintained)
        daemon.signal(SIGUSR1)
        // Cross-process: poll the database until the fan-out has committed its first intents.
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline, (try? db.scalarInt("SELECT count(*) FROM cancel_intents")) ?? 0 == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(((try? db.scalarInt("SELECT count(*) FROM cancel_intents")) ?? 0) > 0, "the fan-out had started before the stop")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0, "log: \(daemon.output)")
        #expect(try db.scalarText("SELECT state FROM incidents WHERE reason = 'signal SIGUSR1'") == "running", "stopped mid-incident")

        #expect(try await CrashResumeTests.runDaemon(config: config, environment: [:]) == 0)
        #expect(try db.scalarText("SELECT state FROM incidents WHERE reason = 'signal SIGUSR1'") == "flat")
        #expect(await harness.sim.orders(exchange: nil, market: nil, status: "open").isEmpty)
    }
}
}
