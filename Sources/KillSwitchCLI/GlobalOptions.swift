import ArgumentParser
import Foundation
import KillSwitchConfig
import KillSwitchStore

/// Path options shared by every command that needs the config or the database.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file (default: $KILLSWITCH_CONFIG or /etc/killswitch/killswitch.toml).", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Database file; overrides the config's `database` (or $KILLSWITCH_DB).", valueName: "path"))
    var db: String?

    @Option(name: .long, help: ArgumentHelp("Daemon control socket (default: $KILLSWITCH_SOCKET, the config's `socket`, or /run/killswitch/control.sock).", valueName: "path"))
    var socket: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// The control socket: `--socket`, `$KILLSWITCH_SOCKET`, the config's `socket` when a config file exists,
    /// else the default — so commands that talk to the daemon need no config file.
    func socketPath() throws -> String {
        if let explicit = socket ?? environment["KILLSWITCH_SOCKET"] { return explicit }
        if FileManager.default.fileExists(atPath: configPath) { return try loadConfiguration().socket }
        return KillSwitchConfiguration.defaultSocket
    }

    var configPath: String { config ?? environment["KILLSWITCH_CONFIG"] ?? KillSwitchConfiguration.defaultPath }

    /// Loads the configuration, printing every error with its key path and exiting 78 on failure.
    func loadConfiguration() throws -> KillSwitchConfiguration {
        do {
            var configuration = try ConfigLoader.load(path: configPath)
            if let db = db ?? environment["KILLSWITCH_DB"] { configuration.database = db }
            return configuration
        } catch {
            CLIOutput.error(error.description)
            throw ExitCode(ExitCodes.configuration)
        }
    }

    /// The configuration when its file exists; without one, an empty configuration when `--db` names the
    /// database (enough for migrations and read-only queries).
    func configurationIfPresent() throws -> KillSwitchConfiguration {
        let explicitDB = db ?? environment["KILLSWITCH_DB"]
        if !FileManager.default.fileExists(atPath: configPath), let explicitDB, config == nil {
            return KillSwitchConfiguration(database: explicitDB)
        }
        return try loadConfiguration()
    }

    func databasePath() throws -> String {
        if let explicit = db ?? environment["KILLSWITCH_DB"] { return explicit }
        return try loadConfiguration().database
    }
}

enum ExitCodes {
    static let failure: Int32 = 1
    static let usage: Int32 = 64
    static let unavailable: Int32 = 69
    static let configuration: Int32 = 78
}

enum CLIOutput {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("killswitch: " + message + "\n").utf8))
    }

    static func print(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}

