import ArgumentParser
import Foundation
import KillSwitchCore
import KillSwitchStore

/// `killswitch orders`: the tracked orders, read-only from the database.
struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "List tracked orders from the database (read-only; works while the daemon is down)."
    )

    enum StatusFilter: String, ExpressibleByArgument, CaseIterable {
        case open
        case all
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only this venue id.") var venue: String?
    @Option(help: "Only this account.") var account: String?
    @Option(help: "Only this symbol (the venue's own spelling).") var symbol: String?
    @Option(help: "open (default) or all.") var status: StatusFilter = .open
    @Option(help: "table (default), json or csv.") var format: OutputFormat = .table

    func run() async throws {
        let path = try global.databasePath()
        let orders: [StoredOrder]
        do {
            orders = try StoreReader(path: path).orders(OrderFilter(scope: Scope(venue: venue, account: account, symbol: symbol), openOnly: status == .open))
        } catch {
            CLIOutput.error("\(error)")
            throw ExitCode(ExitCodes.failure)
        }
        let table = Tabular(
            columns: ["id", "venue", "account", "symbol", "venueOrderId", "clientOrderId", "origin", "side", "price", "quantity", "filled", "status", "updatedAt"],
            rows: orders.map { order in
                [String(order.id), order.venueId, order.account, order.symbol, order.venueOrderId, order.clientOrderId, order.origin, order.side,
                 order.price, order.quantity, order.filledQuantity, order.status.rawValue, Timestamp.format(order.updatedAt)]
            }
        )
        CLIOutput.print(table.render(format))
    }
}
