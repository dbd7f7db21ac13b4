import ArgumentParser
import KillSwitchStore

/// `killswitch audit incident N`: one incident's timeline (table: sections of text; json: one object;
/// csv: the chronological event rows).
struct AuditIncidentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incident",
        abstract: "One incident's timeline: trigger, first request, each venue's requests, retries, escalations, verification, totals, time to flat."
    )

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The incident id.") var incident: Int64
    @Option(help: "table (default), json or csv.") var format: OutputFormat = .table

    func run() async throws {
        let timeline = try AuditSource.query(global) { try $0.auditTimeline(incident: incident) }
        CLIOutput.print(IncidentTimelineText.render(timeline, format: format))
    }
}

/// The timeline for another command to print (`killswitch demo` ends with it): opens the database read-only.
func renderAuditTimeline(databasePath: String, incident: Int64, format: OutputFormat = .table) throws -> String {
    IncidentTimelineText.render(try StoreReader(path: databasePath).auditTimeline(incident: incident), format: format)
}
