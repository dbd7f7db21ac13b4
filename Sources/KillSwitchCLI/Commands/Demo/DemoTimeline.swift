import Foundation
import KillSwitchStore

/// Until the audit commands land: the incident record read back from the database, read-only.
enum DemoTimeline {
    static func print(incidentId: Int64, database: String) async throws {
        let reader = try StoreReader(path: database)
        let orders = try reader.orders(OrderFilter(openOnly: false))
        Swift.print("  orders tracked: \(orders.count); still open: \(orders.filter { $0.status.isOpen }.count)")
    }
}
