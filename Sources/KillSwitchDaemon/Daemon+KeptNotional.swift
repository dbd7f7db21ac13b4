import Foundation
import KillSwitchCore
import KillSwitchStore

extension Daemon {
    /// A `keep` rule must not become a hiding place: a runaway bot could name its orders like a hedge. When the
    /// open notional an entry's keep rules protect goes above `max_kept_notional`, the keep is void and those
    /// orders are cancelled — by the latched incident already covering the entry, or by a trip of the entry
    /// (actor `keep-cap`). Only entries where this batch stored a kept order are measured (the kept notional
    /// changes with nothing else), so the ingest path reads nothing more for every other batch.
    func checkKeptNotional(events: [OrderEvent]) async {
        var touched: Set<String> = []
        for venue in configuration.venueDescriptors {
            guard let keep = venue.keep else { continue }
            if events.contains(where: { $0.venueId == venue.id && keep.keeps(kind: venue.kind, symbol: $0.symbol, clientOrderId: $0.clientOrderId) }) {
                touched.insert(venue.id)
            }
        }
        for venue in configuration.venueDescriptors where touched.contains(venue.id) {
            let scope = Scope(venue: venue.id)
            let orders = (try? await store.orders(OrderFilter(scope: scope, openOnly: true))) ?? []
            guard let entry = KeptOrders(scope: scope, venues: [venue], open: orders).entries.first, entry.overCap else { continue }
            if await engine.voidKeep(venueId: venue.id, kept: entry.orders) { continue }
            let reason = "kept notional \(DecimalAmount(entry.notional)) above max_kept_notional \(entry.cap) on \(venue.id) (\(entry.orders.count) kept order(s))"
            await engine.trip(scope: scope, reason: reason, actor: "keep-cap")
        }
    }
}
