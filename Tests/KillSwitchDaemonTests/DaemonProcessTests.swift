import Foundation
import Testing
@testable import KillSwitchStore

/// `killswitch run` as a real child process: signals, the one-daemon-per-database lock, file modes.
// Inside the serialized integration group: starting child daemons is heavy on two cores, and running it
// beside the fan-out tests made their requests leave late enough to bunch into a venue's limit.
extension EngineIntegration {
@Suite(.serialized, .timeLimit(.minutes(2))) struct DaemonProcessTests {
    struct Files {
        let directory: String
        var config: String { directory + "/killswitch.toml" }
        var database: String { directory + "/ks.db" }

        init() throws {
            directory = NSTemporaryDirectory() + "ks-proc-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }

        /// A config without venues (signals and locking need none); `socket` set so the control server
        /// (once merged) gets a path of its own.
        func write(rules: String = "", extra: String = "") throws {
            let toml = """
                database = "\(database)"
                socket = "\(directory)/c.sock"

                """ + rules + "\n" + extra
            try toml.write(toFile: config, atomically: true, encoding: .utf8)
        }

        func incidents() throws -> [(reason: String, actor: String?, rule: String?)] {
            guard FileManager.default.fileExists(atPath: database) else { return [] }
            let db = try SQLiteConnection(path: database, mode: .readOnly)
            return try db.prepare("SELECT reason, actor, rule_id FROM incidents ORDER BY id").rows().map {
                ($0[0].textValue ?? "", $0[1].textValue, $0[2].textValue)
            }
        }

        /// Polls the database (another process writes it) until `done` or the deadline.
        func waitForIncidents(timeout: Duration = .seconds(20), _ done: ([(reason: String, actor: String?, rule: String?)]) -> Bool) async throws -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if done((try? incidents()) ?? []) { return true }
                try await Task.sleep(for: .milliseconds(25))
            }
            return false
        }

        func remove() { try? FileManager.default.removeItem(atPath: directory) }
    }

    @Test func sigusr1TripsEverythingAndSigtermStopsCleanly() async throws {
        let files = try Files()
        defer { files.remove() }
        try files.write()
        let daemon = try DaemonProcess(config: files.config)
        defer { daemon.stop() }
        #expect(await daemon.waitUntilReady(), "log: \(daemon.output)")

        daemon.signal(SIGUSR1)
        let tripped = try await files.waitForIncidents { $0.contains { $0.reason == "signal SIGUSR1" } }
        #expect(tripped, "log: \(daemon.output)")
        let incident = try #require(try files.incidents().first)
        #expect(incident.actor == "signal")
        #expect(incident.rule == nil)
        #expect(daemon.process.isRunning, "a trip does not stop the daemon")

        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0, "log: \(daemon.output)")
        #expect(daemon.process.terminationReason == .exit)
    }

    @Test func sighupReloadsTheRulesAndAnInvalidFileKeepsTheRunningOnes() async throws {
        let files = try Files()
        defer { files.remove() }
        try files.write()
        let daemon = try DaemonProcess(config: files.config)
        defer { daemon.stop() }
        #expect(await daemon.waitUntilReady(), "log: \(daemon.output)")

        // Invalid: refused, the key path logged, the daemon keeps running.
        try files.write(rules: """
            [[rules]]
            id = "hup-added"
            type = "heartbeat"
            source = "nobody"
            timeout = "5 seconds"
            grace = "100ms"
            """)
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLog("configuration reload refused"), "log: \(daemon.output)")
        #expect(daemon.output.contains("rules[0].timeout: invalid duration"), "log: \(daemon.output)")
        #expect(daemon.process.isRunning)

        // Valid: the new heartbeat rule is armed now and, with no heartbeat, trips its scope.
        try files.write(rules: """
            [[rules]]
            id = "hup-added"
            type = "heartbeat"
            source = "nobody"
            timeout = "100ms"
            grace = "100ms"
            """)
        daemon.signal(SIGHUP)
        #expect(await daemon.waitForLog("rules reloaded"), "log: \(daemon.output)")
        let fired = try await files.waitForIncidents { $0.contains { $0.rule == "hup-added" } }
        #expect(fired, "log: \(daemon.output)")

        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0, "log: \(daemon.output)")
    }

    @Test func aSecondRunOnTheSameDatabaseExitsAtOnceNamingIt() async throws {
        let files = try Files()
        defer { files.remove() }
        try files.write()
        let first = try DaemonProcess(config: files.config)
        defer { first.stop() }
        #expect(await first.waitUntilReady(), "log: \(first.output)")

        let started = ContinuousClock.now
        let second = try DaemonProcess(config: files.config)
        defer { second.stop() }
        #expect(await second.waitForExit() == 1)
        #expect(ContinuousClock.now - started < .seconds(10), "refused at once, not after waiting")
        #expect(second.output.contains("another killswitch daemon (pid \(first.pid)) is already running on database \(files.database)"), "log: \(second.output)")
        #expect(first.process.isRunning)

        // Created with group read, nothing for others (whatever the umask).
        for path in [files.database, files.database + ".lock"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o640, "\(path)")
        }

        first.signal(SIGTERM)
        #expect(await first.waitForExit() == 0)
        // The lock went with the process: a new run starts.
        let third = try DaemonProcess(config: files.config)
        defer { third.stop() }
        #expect(await third.waitUntilReady(), "log: \(third.output)")
        third.signal(SIGTERM)
        #expect(await third.waitForExit() == 0)
    }

    @Test func webhooksHearOfASignalTripAndItsEnd() async throws {
        let receiver = try await WebhookReceiver.start()
        let files = try Files()
        defer { files.remove() }
        try files.write(extra: """
            [[notify]]
            url = "\(receiver.url)"
            events = ["trip", "incident-end"]
            """)
        let daemon = try DaemonProcess(config: files.config)
        defer { daemon.stop() }
        #expect(await daemon.waitUntilReady(), "log: \(daemon.output)")
        daemon.signal(SIGUSR1)
        var received = receiver.received.makeAsyncIterator()
        let trip = try #require(await received.next()).json
        #expect(trip["event"] as? String == "trip")
        #expect((trip["incident"] as? [String: Any])?["reason"] as? String == "signal SIGUSR1")
        let end = try #require(await received.next()).json
        #expect(end["event"] as? String == "incident-end")
        #expect(end["outcome"] as? String == "flat", "no venues configured: nothing to cancel")
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0, "log: \(daemon.output)")
        #expect(!daemon.output.contains("not-for-logs"), "the webhook's token reached the log")
        await receiver.stop()
    }
}
}
