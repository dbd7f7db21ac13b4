import Foundation
import KillSwitchCore
import KillSwitchStore

/// What `keep` rules protect on the venue entries a trip covers, from the orders the tracker knows: per entry,
/// the kept orders and their open notional, and whether that notional is over `max_kept_notional` (the keep
/// is then void for the trip: a runaway bot could name its orders like a hedge). Pure: the engine reads the
/// orders and records the answer.
struct KeptOrders: Sendable {
    struct Entry: Sendable {
        var venueId: String
        var orders: [StoredOrder]
        var notional: Decimal
        var cap: DecimalAmount
        var overCap: Bool { notional > cap.decimal }
    }

    var entries: [Entry]

    /// Entries whose keep is void for the trip.
    var voided: Set<String> { Set(entries.filter(\.overCap).map(\.venueId)) }

    init(scope: Scope, venues: [VenueDescriptor], open: [StoredOrder]) {
        let plain = TripScope(scope)
        var entries: [Entry] = []
        for venue in plain.venues(in: venues) {
            guard let keep = venue.keep else { continue }
            let kept = open.filter { order in
                order.venueId == venue.id && plain.containsOrder(kind: venue.kind, symbol: order.symbol)
                    && keep.keeps(kind: venue.kind, symbol: order.symbol, clientOrderId: order.clientOrderId)
            }
            let notional = kept.reduce(Decimal(0)) { $0 + TripEngine.notional($1, venue: venue) }
            entries.append(Entry(venueId: venue.id, orders: kept, notional: notional, cap: keep.maxKeptNotional))
        }
        self.entries = entries
    }

    /// The audit line per entry: how many orders were kept (or, over the cap, are cancelled after all).
    func auditDetail(_ entry: Entry) -> [String: String] {
        [
            "venue": entry.venueId, "kept": entry.overCap ? "0" : "\(entry.orders.count)", "matching": "\(entry.orders.count)",
            "notional": DecimalAmount(entry.notional).text, "max_kept_notional": entry.cap.text,
            "orders": entry.orders.prefix(20).map { $0.venueOrderId ?? $0.clientOrderId ?? "#\($0.id)" }.joined(separator: ","),
            "decision": entry.overCap ? "keep void: kept notional above max_kept_notional, these orders are cancelled" : "kept: outside the trip's scope",
        ]
    }
}
