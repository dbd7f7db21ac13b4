import ArgumentParser

/// `killswitch`: the daemon and its CLI in one binary.
public struct KillSwitchCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "killswitch",
        abstract: "A risk kill switch for automated crypto trading: pulls every resting order off every venue when a rule fires.",
        discussion: """
            Exit codes: 0 ok, 1 failure, 64 usage, 69 daemon unreachable, 78 configuration.
            Paths default to /etc/killswitch/killswitch.toml (KILLSWITCH_CONFIG), the config's database (KILLSWITCH_DB) and the config's socket (KILLSWITCH_SOCKET).
            """,
        version: BuildInfo.versionLine,
        subcommands: [
            DemoCommand.self,
            RunCommand.self,
            MigrateCommand.self,
            ConfigCommand.self,
            OrdersCommand.self,
            AuditCommand.self,
            VenueCommand.self,
            TripCommand.self,
            RearmCommand.self,
            HeartbeatCommand.self,
            StatusCommand.self,
            RetryCommand.self,
        ]
    )

    public init() {}
}
