import ArgumentParser
import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import Logging
import VenueSim

/// `killswitch demo`: the whole job on an embedded default — no keys, no network. Starts the venue
/// simulator in-process, writes a config and a 0600 secrets file and loads them like `run` does, starts the
/// daemon with a dead-man's switch, seeds a book across all five venue kinds, heartbeats, goes silent, and
/// shows the trip and the fan-out live; then prints the incident's audit timeline.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Rehearse a trip end to end against the built-in venue simulator (no keys, no network, under a minute).",
        discussion: "Exits 0 when the incident ends flat and the simulator confirms nothing is left open; 1 otherwise."
    )

    @Option(help: "How long the bot heartbeats before going silent, in seconds.") var heartbeatSeconds: Double = 3

    @Option(help: "Simulated venue round-trip latency, in ms (± a fifth of it as jitter).") var latencyMs: Int = 15

    @Flag(help: "Show the daemon's own log (info and up) on stderr.") var verbose = false

    @Option(help: ArgumentHelp("Keep the demo's folder (config, database) here for `killswitch audit` afterwards.", valueName: "dir"))
    var keep: String?

    func run() async throws {
        // The demo narrates on stdout; the daemon's own log (which repeats it) only with --verbose.
        let verbose = self.verbose
        LoggingSystem.bootstrap { label in
            guard verbose else { return SwiftLogNoOpLogHandler() }
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "killswitch.demo")
        let started = ContinuousClock.now
        func stamp() -> String { String(format: "[%6.2fs]", started.duration(to: .now).seconds) }

        print("killswitch demo — a dead-man's switch trip rehearsed against the built-in venue simulator\n")
        var simConfiguration = VenueSimConfiguration()
        simConfiguration.latencyMs = latencyMs
        simConfiguration.jitterMs = max(0, latencyMs / 5)
        simConfiguration.logLevel = .critical
        let sim = try await VenueSimulator.start(simConfiguration)
        let directory = try makeDirectory()
        print("\(stamp()) venue-sim listening on \(sim.baseURL) (gate futures + spot, htx, bitget, binance; \(latencyMs) ms latency)")

        let configPath = try DemoConfigFiles.write(directory: directory, simURL: sim.baseURL)
        let configuration: KillSwitchConfiguration
        let credentials: [String: VenueCredentials]
        do {
            (configuration, credentials) = try ConfigLoader.resolve(ConfigLoader.load(path: configPath))
        } catch {
            CLIOutput.error(error.description)
            throw ExitCode(ExitCodes.configuration)
        }
        print("\(stamp()) config \(configPath) (secrets in a 0600 file beside it), database \(configuration.database)")

        let daemon = try await Daemon(configuration: configuration, credentials: credentials, logger: logger)
        let events = daemon.events.subscribe()
        let daemonTask = Task { try await daemon.run() }

        let book = DemoBook.make()
        _ = try await sim.seed(book.simOrders)
        for chunk in stride(from: 0, to: book.events.count, by: 500) {
            _ = try await daemon.ingest(book.events[chunk..<min(chunk + 500, book.events.count)].map { .success($0) })
        }
        let untracked = DemoBook.venues.count * DemoBook.untrackedPerVenue
        print("\(stamp()) book seeded: \(book.events.count) orders reported by bot7 across \(DemoBook.venues.count) venue accounts, plus \(untracked) resting orders the tracker was never told about (\(DemoBook.manualCount) of them placed by hand: no client id, origin web)")
        for venue in DemoBook.venues {
            print("           \(venue.id.padding(toLength: 18, withPad: " ", startingAt: 0)) \(venue.kind.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(venue.orders) orders on \(venue.symbols.map(\.symbol).joined(separator: ", "))")
        }

        print("\(stamp()) rule bot7-alive: heartbeat from bot7 at least every \(DemoConfigFiles.heartbeatTimeout)")
        let beats = max(1, Int(heartbeatSeconds / 0.25))
        for beat in 0..<beats {
            try await daemon.heartbeat(source: DemoConfigFiles.heartbeatSource)
            if beat % 4 == 0 { print("\(stamp()) ♥ bot7 heartbeat") }
            try await Task.sleep(for: .milliseconds(250))
        }
        try await daemon.heartbeat(source: DemoConfigFiles.heartbeatSource)
        let silentSince = ContinuousClock.now
        print("\(stamp()) bot7 goes silent (its process hung) — nobody is awake")

        var incidentId: Int64?
        for await event in events {
            if case .tripped(let incident) = event { incidentId = incident.id; break }
        }
        guard let incidentId else { throw ExitCode(ExitCodes.failure) }
        let tripped = ContinuousClock.now
        print(String(format: "%@ TRIPPED: incident %lld, %.0f ms after the last heartbeat — cancelling everything on every venue",
                     stamp(), incidentId, silentSince.duration(to: tripped).seconds * 1000))

        var view = FanOutView(venues: DemoBook.venues.map { ($0.id, $0.orders + DemoBook.untrackedPerVenue) })
        let waiter = Task { await daemon.engine.waitForIncident(incidentId) }
        while true {
            if let progress = await daemon.engine.progress(of: incidentId) {
                view.draw(progress.snapshot, elapsedSeconds: tripped.duration(to: .now).seconds)
            }
            if await daemon.engine.isFinished(incidentId) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let outcome = await waiter.value
        let flatAfter = tripped.duration(to: .now).seconds
        if let progress = await daemon.engine.progress(of: incidentId) { view.draw(progress.snapshot, elapsedSeconds: flatAfter, final: true) }
        let stillOpen = await sim.orders(status: "open").count
        let refused = await sim.requests(since: 0).filter { $0.verdict != "ok" }.count
        print(String(format: "%@ incident %lld ended %@ in %.2f s; the simulator shows %d orders still open and refused %d requests",
                     stamp(), incidentId, outcome?.rawValue ?? "?", flatAfter, stillOpen, refused))

        print("\n── audit timeline (killswitch audit incident \(incidentId)) ──")
        print(try renderAuditTimeline(databasePath: configuration.database, incident: incidentId))

        daemonTask.cancel()
        _ = try? await daemonTask.value
        try? await sim.shutdown()
        if let keep {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.moveItem(atPath: directory, toPath: keep)
            print("\nkept \(keep): try `killswitch audit incident \(incidentId) --db \(keep)/killswitch.db`")
        } else {
            try? FileManager.default.removeItem(atPath: directory)
        }
        guard outcome == .flat, stillOpen == 0 else { throw ExitCode(ExitCodes.failure) }
    }

    private func makeDirectory() throws -> String {
        let directory = NSTemporaryDirectory() + "killswitch-demo-\(getpid())"
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return directory
    }
}
