import Foundation

/// An order the engine wants off a venue, with its open notional (for largest-first ordering).
public struct PlannedOrder: Sendable, Hashable {
    public var target: CancelTarget
    public var notional: Decimal

    public init(target: CancelTarget, notional: Decimal = 0) {
        self.target = target
        self.notional = notional
    }
}

/// Groups orders into batch-cancel requests by the venue kind's rules, chunks them to its batch limit, and
/// orders everything largest open notional first.
public enum CancelPlanner {
    public static func batches(venueId: String, kind: VenueKind, orders: [PlannedOrder]) -> [CancelBatch] {
        // Group key: symbol where the venue takes one symbol per request; id type where a request can't mix
        // venue ids and client ids (HTX, Binance: one list per request; Gate: one `id` field of either kind).
        struct GroupKey: Hashable {
            var symbol: String?
            var byClientId: Bool
        }
        var groups: [GroupKey: [PlannedOrder]] = [:]
        for order in orders {
            let byClientId = kind == .bitgetMix ? false : order.target.usesClientId
            let key = GroupKey(symbol: kind.batchIsPerSymbol ? order.target.symbol : nil, byClientId: byClientId)
            groups[key, default: []].append(order)
        }
        var batches: [(notional: Decimal, batch: CancelBatch)] = []
        for (key, members) in groups {
            let sorted = members.sorted { a, b in
                a.notional != b.notional ? a.notional > b.notional : a.target.orderId < b.target.orderId
            }
            var start = 0
            while start < sorted.count {
                let chunk = sorted[start..<min(start + kind.batchLimit, sorted.count)]
                let notional = chunk.reduce(Decimal(0)) { $0 + $1.notional }
                batches.append((notional, CancelBatch(venueId: venueId, symbol: key.symbol, targets: chunk.map(\.target), byClientId: key.byClientId)))
                start += kind.batchLimit
            }
        }
        return batches.sorted { a, b in
            if a.notional != b.notional { return a.notional > b.notional }
            return (a.batch.targets.first?.orderId ?? 0) < (b.batch.targets.first?.orderId ?? 0)
        }.map(\.batch)
    }
}
