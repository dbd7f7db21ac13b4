import Foundation

/// An order the engine wants off a venue, with its open notional (for largest-first ordering).
public struct PlannedOrder: Sendable, Hashable {
    public var target: CancelTarget
    /// Only an ordering key, so a `Double`: exact decimals cost ~10 µs an order to build and sort, which on
    /// 10,000 orders was ~150 ms on the trip's critical path before the first cancel could leave.
    public var notional: Double
    /// Sent in a request of its own: its batch was refused as a whole, and one order in it may be why.
    public var alone: Bool

    public init(target: CancelTarget, notional: Double = 0, alone: Bool = false) {
        self.target = target
        self.notional = notional
        self.alone = alone
    }
}

/// Splits one venue account's orders into batch-cancel requests by the kind's grouping rule
/// (gate-futures: one settle — the account's — any contracts; gate-spot and htx-spot: any symbols;
/// bitget-mix and binance-coinm: one symbol per request), chunked to the kind's limit, largest open
/// notional first. Within a group, orders with a venue id come before orders known only by client id.
/// Where the venue takes one id type per request (HTX, Binance) the two never share a batch; Gate and
/// Bitget items may mix (`byClientId` is then true only for an all-client-id batch). Orders with no id at
/// all cannot be addressed and are left out.
public enum CancelPlanner {
    public static func batches(venueId: String, kind: VenueKind, orders: [PlannedOrder]) -> [CancelBatch] {
        let usable = orders.filter { !$0.target.wireId.isEmpty }
        var groups: [String?: [PlannedOrder]] = [:]
        var planned: [(notional: Double, batch: CancelBatch)] = []
        for order in usable where order.alone {
            planned.append((order.notional, CancelBatch(venueId: venueId, symbol: kind.batchIsPerSymbol ? order.target.symbol : nil, targets: [order.target],
                                                        byClientId: order.target.usesClientId)))
        }
        for order in usable where !order.alone {
            groups[kind.batchIsPerSymbol ? order.target.symbol : nil, default: []].append(order)
        }
        let splitsIdTypes = kind == .htxSpot || kind == .binanceCoinM
        for (symbol, members) in groups {
            let sorted = members.sorted { a, b in
                if a.target.usesClientId != b.target.usesClientId { return !a.target.usesClientId }
                if a.notional != b.notional { return a.notional > b.notional }
                return a.target.orderId < b.target.orderId
            }
            let runs = splitsIdTypes ? [sorted.filter { !$0.target.usesClientId }, sorted.filter(\.target.usesClientId)] : [sorted]
            for run in runs where !run.isEmpty {
                for start in stride(from: 0, to: run.count, by: kind.batchLimit) {
                    let chunk = run[start..<min(start + kind.batchLimit, run.count)]
                    let targets = chunk.map(\.target)
                    planned.append((chunk.reduce(0) { $0 + $1.notional },
                                    CancelBatch(venueId: venueId, symbol: symbol, targets: targets, byClientId: targets.allSatisfy(\.usesClientId))))
                }
            }
        }
        return planned.sorted { a, b in
            if a.notional != b.notional { return a.notional > b.notional }
            let aClient = a.batch.targets.first?.usesClientId ?? false, bClient = b.batch.targets.first?.usesClientId ?? false
            if aClient != bClient { return !aClient }
            return (a.batch.targets.first?.orderId ?? 0) < (b.batch.targets.first?.orderId ?? 0)
        }.map(\.batch)
    }

    /// The same, for targets without notional (requests built by hand, the CLI).
    public static func batches(venueId: String, kind: VenueKind, targets: [CancelTarget]) -> [CancelBatch] {
        batches(venueId: venueId, kind: kind, orders: targets.map { PlannedOrder(target: $0) })
    }
}
