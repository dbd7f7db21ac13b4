import Foundation
import Testing
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore

/// The `killswitch` binary as a child process against an in-process daemon's control socket.
extension EngineIntegration {
@Suite(.serialized) struct ControlCLITests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `killswitch ARGS` with no config file around (only --socket), and collects its output. `prefix`
    /// runs it through another program (`setpriv … --` to run it as another user), `binary` another copy.
    static func killswitch(_ arguments: [String], environment extra: [String: String] = [:], prefix: [String] = [],
                           binary: String = CrashResumeTests.killswitchBinary) async throws -> Run {
        let process = Process()
        let command = prefix + [binary] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["KILLSWITCH_CONFIG"] = "/nonexistent/killswitch.toml"
        environment.removeValue(forKey: "KILLSWITCH_SOCKET")
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let exit = Task {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int32, any Error>) in
                process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
                do { try process.run() } catch { continuation.resume(throwing: error) }
            }
        }
        // Drained while the child runs, so a chatty child never blocks on a full pipe.
        async let stdout = drain(out.fileHandleForReading)
        async let stderr = drain(err.fileHandleForReading)
        let status = try await exit.value
        return Run(status: status, stdout: String(decoding: await stdout, as: UTF8.self), stderr: String(decoding: await stderr, as: UTF8.self))
    }

    /// Reads to EOF on a Dispatch thread (a blocking read must not hold one of the few cooperative threads
    /// the in-process daemon needs to answer the child).
    static func drain(_ handle: FileHandle) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
        }
    }

    @Test func tripStatusRearmThroughTheCLI() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let socket = ["--socket", fixture.socket]

        let trip = try await Self.killswitch(["trip", "--reason", "cli drill", "--venue", "binance"] + socket)
        #expect(trip.status == 0, "\(trip.stderr)")
        let incident = try #require(await fixture.daemon.engine.latchedIncidents.first)
        #expect(trip.stdout == "tripped venue=binance: incident \(incident.id) (by \(ControlIncidentTests.userName))\n")
        #expect(incident.reason == "cli drill" && incident.scope == Scope(venue: "binance"))

        let json = try await Self.killswitch(["status", "--format", "json"] + socket)
        #expect(json.status == 0, "\(json.stderr)")
        let report = try JSONDecoder().decode(StatusReport.self, from: Data(json.stdout.utf8))
        #expect(!report.armed && report.tripped.map(\.incidents) == [[incident.id]])
        #expect(report.venues.first { $0.venue == "binance" }?.state == "tripped")
        #expect(report.venues.first { $0.venue == "htx" }?.state == "armed")

        let table = try await Self.killswitch(["status"] + socket)
        #expect(table.status == 0)
        #expect(table.stdout.contains("TRIPPED:") && table.stdout.contains("venue=binance"))
        #expect(table.stdout.contains("VENUES:"))

        let rearm = try await Self.killswitch(["rearm", "--operator", "alice", "--reason", "drill over", "--venue", "binance"] + socket)
        #expect(rearm.status == 0, "\(rearm.stderr)")
        #expect(rearm.stdout == "re-armed incident \(incident.id)\n")
        #expect(await fixture.daemon.engine.gate(venue: "binance", account: "main", symbol: "BTCUSD_PERP").allowed)

        // A daemon error: exit 1 with its message.
        let again = try await Self.killswitch(["rearm", "--operator", "alice", "--reason", "x", "--incident", "\(incident.id)"] + socket)
        #expect(again.status == 1)
        #expect(again.stderr == "killswitch: incident: incident \(incident.id) is already re-armed\n")
        let retry = try await Self.killswitch(["retry", "--incident", "999"] + socket)
        #expect(retry.status == 1)
        #expect(retry.stderr == "killswitch: incident: no incident 999\n")
    }

    @Test func tripFollowPrintsProgressUntilFlat() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        try await fixture.harness.seed(perVenue: 40, store: fixture.daemon.store)
        let run = try await Self.killswitch(["trip", "--reason", "follow", "--follow", "--poll-milliseconds", "50", "--socket", fixture.socket])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("tripped everything: incident 1") == true)
        for venue in ["binance", "bitget", "gate-fut", "gate-spot", "htx"] {
            #expect(lines.contains { $0.hasPrefix(venue) && $0.contains("orders 40") && $0.contains("requests ") }, "no progress line for \(venue)")
        }
        let summary = try #require(lines.last)
        #expect(summary.hasPrefix("incident 1 ended flat in "))
        #expect(summary.contains(": 200 orders (") && summary.hasSuffix("outstanding 0"))
        #expect(await fixture.harness.sim.orders(exchange: nil, market: nil, status: "open").isEmpty)
    }

    @Test func heartbeatReachesTheRule() async throws {
        let rule = RuleDefinition(id: "bot-alive", scope: Scope(venue: "binance"), kind: .heartbeat(source: "bot-7", timeout: .seconds(600), grace: .seconds(600)))
        let fixture = try await ControlFixture.start(rules: [rule])
        defer { Task { await fixture.stop() } }
        let run = try await Self.killswitch(["heartbeat", "bot-7", "--socket", fixture.socket])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout == "heartbeat bot-7 recorded\n")
        let db = try SQLiteConnection(path: fixture.harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarInt("SELECT count FROM heartbeats WHERE source = 'bot-7'") == 1)
        let unwatched = try await Self.killswitch(["heartbeat", "bot-9", "--socket", fixture.socket])
        #expect(unwatched.status == 0)
        #expect(unwatched.stderr == "killswitch: warning: no heartbeat rule watches bot-9 (recorded anyway)\n")
    }

    @Test func missingSocketExits69NamingIt() async throws {
        let path = "/tmp/ks-missing-\(UUID().uuidString.prefix(8)).sock"
        for arguments in [["status"], ["trip", "--reason", "x"], ["heartbeat", "bot"], ["rearm", "--operator", "a", "--reason", "b"], ["retry", "--incident", "1"]] {
            let run = try await Self.killswitch(arguments + ["--socket", path])
            #expect(run.status == 69, "\(arguments)")
            #expect(run.stderr.contains("daemon unreachable on \(path)"), "\(arguments): \(run.stderr)")
        }
        // KILLSWITCH_SOCKET works too (no config file needed).
        let process = try await Self.killswitch(["status"], environment: ["KILLSWITCH_SOCKET": path])
        #expect(process.status == 69 && process.stderr.contains(path))
    }

    @Test func staleSocketExits69() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        try ControlSocketTests.leaveStaleSocket(at: harness.configuration.socket)
        let run = try await Self.killswitch(["status", "--socket", harness.configuration.socket])
        #expect(run.status == 69)
        #expect(run.stderr.contains("daemon unreachable on \(harness.configuration.socket)"))
    }

    @Test func usageErrorsExit64() async throws {
        let both = try await Self.killswitch(["rearm", "--operator", "a", "--reason", "b", "--incident", "1", "--venue", "x", "--socket", "/tmp/none.sock"])
        #expect(both.status == 64)
        #expect(both.stderr.contains("give --incident or a scope"))
        let missing = try await Self.killswitch(["trip", "--socket", "/tmp/none.sock"])
        #expect(missing.status == 64)
        let badEvery = try await Self.killswitch(["heartbeat", "bot", "--every", "0", "--socket", "/tmp/none.sock"])
        #expect(badEvery.status == 64)
    }

}
}
