import ArgumentParser
import KillSwitchCore
import KillSwitchStore

/// `killswitch audit incidents`: every incident, how it ended and how much it did.
struct AuditIncidentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "incidents", abstract: "List incidents, oldest first.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "table (default), json or csv.") var format: OutputFormat = .table

    func run() async throws {
        let incidents = try AuditSource.query(global) { try $0.auditIncidents() }
        CLIOutput.print(Self.render(incidents, format: format))
    }

    static func render(_ incidents: [AuditIncident], format: OutputFormat) -> String {
        if format == .json { return AuditSource.json(incidents) }
        return Tabular(
            columns: ["id", "state", "trippedAt", "duration", "rule", "actor", "scope", "reason", "orders", "requests", "rearmedBy"],
            rows: incidents.map { incident in
                [String(incident.id), incident.state, Timestamp.format(incident.trippedAt), AuditSource.milliseconds(incident.durationMilliseconds),
                 incident.ruleId, incident.actor, incident.scope, incident.reason, String(incident.orders), String(incident.requests), incident.rearmedBy]
            }
        ).render(format)
    }
}
