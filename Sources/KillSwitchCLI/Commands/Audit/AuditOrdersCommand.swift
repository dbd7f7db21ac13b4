import ArgumentParser
import KillSwitchCore
import KillSwitchStore

/// `killswitch audit orders --incident N [--outcome KIND]`: the incident's orders with their latest outcome.
struct AuditOrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "An incident's orders with their latest cancel outcome.",
        discussion: "KIND is one of: \(CancelOutcomeKind.allNames)."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "The incident id.") var incident: Int64
    @Option(help: ArgumentHelp("Only orders whose latest outcome is KIND.", valueName: "kind")) var outcome: String?
    @Option(help: "table (default), json or csv.") var format: OutputFormat = .table

    func run() async throws {
        var kind: CancelOutcomeKind?
        if let outcome {
            do {
                kind = try CancelOutcomeKind.parse(auditFilter: outcome)
            } catch {
                CLIOutput.error("--\(error)")
                throw ExitCode(ExitCodes.usage)
            }
        }
        let orders = try AuditSource.query(global) { try $0.auditOrders(incident: incident, outcome: kind) }
        CLIOutput.print(Self.render(orders, format: format))
    }

    static func render(_ orders: [AuditOrder], format: OutputFormat) -> String {
        if format == .json { return AuditSource.json(orders) }
        return Tabular(
            columns: ["orderId", "venue", "account", "symbol", "venueOrderId", "clientOrderId", "origin", "side", "price", "quantity", "status",
                      "outcome", "attempts", "venueCode", "message", "decidedAt", "intent"],
            rows: orders.map { order in
                [String(order.orderId), order.venueId, order.account, order.symbol, order.venueOrderId, order.clientOrderId, order.origin, order.side,
                 order.price, order.quantity, order.status, order.outcome?.rawValue, String(order.attempts), order.venueCode, order.message,
                 order.decidedAt.map(Timestamp.format), order.intentId.map { String($0) }]
            }
        ).render(format)
    }
}
