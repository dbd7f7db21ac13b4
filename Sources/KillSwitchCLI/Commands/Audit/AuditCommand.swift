import ArgumentParser

/// `killswitch audit …`: post-incident queries straight from the database file, read-only — they work while
/// the daemon is down and for an operator who cannot write the database's folder.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Post-incident audit from the database (read-only; works while the daemon is down).",
        subcommands: [
            AuditIncidentsCommand.self,
            AuditIncidentCommand.self,
            AuditOrdersCommand.self,
            AuditRequestsCommand.self,
            AuditArchiveCommand.self,
        ]
    )
}
