import ArgumentParser
import KillSwitchCore
import KillSwitchStore

/// `killswitch audit requests --incident N`: every request the incident sent, with its answer.
struct AuditRequestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "requests", abstract: "An incident's venue requests and their answers.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The incident id.") var incident: Int64
    @Option(help: "table (default), json or csv.") var format: OutputFormat = .table

    func run() async throws {
        let requests = try AuditSource.query(global) { try $0.auditRequests(incident: incident) }
        CLIOutput.print(Self.render(requests, format: format))
    }

    static func render(_ requests: [AuditRequest], format: OutputFormat) -> String {
        if format == .json { return AuditSource.json(requests) }
        return table(requests, outcomeColumns: format == .csv).render(format)
    }

    /// Also used for the timeline's retry, escalation and listing sections. `outcomeColumns`: one column per
    /// outcome kind (for spreadsheets) instead of one `kind=count …` cell.
    static func table(_ requests: [AuditRequest], outcomeColumns: Bool = false) -> Tabular {
        let kinds = CancelOutcomeKind.allCases.map(\.rawValue)
        return Tabular(
            columns: ["intent", "venue", "symbol", "kind", "attempt", "orders", "sentAt", "http", "venueCode", "latencyMs"]
                + (outcomeColumns ? kinds : ["outcomes"]) + ["error"],
            rows: requests.map { request in
                let outcomes: [String?] = outcomeColumns ? kinds.map { String(request.outcomes[$0] ?? 0) } : [AuditSource.counts(request.outcomes)]
                return [String(request.intentId), request.venueId, request.symbol, request.kind, String(request.attempt), String(request.orderCount),
                        Timestamp.format(request.sentAt), request.httpStatus.map { String($0) }, request.venueCode,
                        request.answeredAt == nil ? "unanswered" : request.latencyMicroseconds.map { String(format: "%.3f", Double($0) / 1_000) }]
                    + outcomes + [request.transportError]
            }
        )
    }
}
