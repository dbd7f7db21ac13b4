import KillSwitchCore
import Synchronization

/// How many tracked orders are in each status (merged rows excluded), kept by the store as it changes them,
/// so the metrics read a few integers instead of counting the orders table on every event. Counted once when
/// the store opens; each write transaction's changes are applied after it commits.
public final class OrderStatusCounts: Sendable {
    private let counts: Mutex<[OrderStatus: Int]>

    init(_ initial: [OrderStatus: Int]) {
        counts = Mutex(initial)
    }

    /// Counts every status (zero for those with no order).
    public var snapshot: [OrderStatus: Int] {
        let current = counts.withLock { $0 }
        return Dictionary(uniqueKeysWithValues: OrderStatus.allCases.map { ($0, current[$0] ?? 0) })
    }

    func apply(_ delta: [OrderStatus: Int]) {
        guard !delta.isEmpty else { return }
        counts.withLock { all in
            for (status, change) in delta { all[status, default: 0] += change }
        }
    }

    static func count(_ db: SQLiteConnection) throws -> [OrderStatus: Int] {
        let statement = try db.prepare("SELECT status, count(*) FROM orders WHERE merged_into IS NULL GROUP BY status")
        var out: [OrderStatus: Int] = [:]
        while try statement.step() {
            if let status = OrderStatus(rawValue: statement.text(0) ?? "") { out[status] = Int(statement.int(1)) }
        }
        return out
    }
}
