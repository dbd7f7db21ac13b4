import ArgumentParser
import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import Logging

/// `killswitch run`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the kill-switch daemon (resumes any incident a previous run left unfinished).",
        discussion: "Refuses to start on a bad configuration, naming the key path and the reason (exit 78), and when another daemon runs on the same database (exit 1). SIGUSR1 trips everything; SIGHUP reloads the rules (an invalid file keeps the running ones); SIGTERM/SIGINT stop it gracefully — an incident in flight keeps its durable state and resumes on the next start."
    )

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: "text (default) or json for log shippers.") var logFormat: LogFormat = .text

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.") var logLevel: String = "info"

    @Flag(help: .hidden) var exitWhenIdle = false

    func run() async throws {
        let loaded = try global.loadConfiguration()
        let configuration: KillSwitchConfiguration
        let credentials: [String: VenueCredentials]
        do {
            (configuration, credentials) = try ConfigLoader.resolve(loaded)
        } catch {
            CLIOutput.error(error.description)
            throw ExitCode(ExitCodes.configuration)
        }
        // One daemon per database, decided before the store is opened; refused at once, naming the holder.
        let lock: DatabaseLock
        do {
            lock = try DatabaseLock(database: configuration.database)
        } catch {
            CLIOutput.error(error.description)
            throw ExitCode(ExitCodes.failure)
        }
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let format = logFormat
        // Under systemd with stderr to the journal, each line carries its syslog priority (journalctl -p crit).
        let journal = JournalPriority.isJournal(environment: ProcessInfo.processInfo.environment)
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == .json
                ? JSONLogHandler(label: label, journalPriorities: journal)
                : TextLogHandler(label: label, journalPriorities: journal)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "killswitch")
        do {
            let daemon = try await Daemon(configuration: configuration, credentials: credentials, options: Daemon.Options(exitWhenIdle: exitWhenIdle, build: BuildIdentity(version: BuildInfo.version, commit: BuildInfo.commit)), logger: logger)
            try await daemon.run()
            withExtendedLifetime(lock) {}
        } catch {
            logger.critical("daemon stopped", metadata: ["error": "\(error)"])
            throw ExitCode(ExitCodes.failure)
        }
    }
}
