import Foundation
import KillSwitchCore
import KillSwitchStore

extension Daemon {
    /// A `keep` rule must not become a hiding place: a runaway bot could name its orders like a hedge. When the
    /// open notional an entry's keep rules protect goes above `max_kept_notional`, the keep is void and those
    /// orders are cancelled — by the latched incident already covering the entry, or by a trip of the entry
    /// (actor `keep-cap`). Only entries with keep rules that this batch touched are measured.
    func checkKeptNotional(touching venueIds: Set<String>) async {
        for venue in configuration.venueDescriptors where venue.keep != nil && venueIds.contains(venue.id) {
            let scope = Scope(venue: venue.id)
            let orders = (try? await store.orders(OrderFilter(scope: scope, openOnly: true))) ?? []
            guard let entry = KeptOrders(scope: scope, venues: [venue], open: orders).entries.first, entry.overCap else { continue }
            if await engine.voidKeep(venueId: venue.id, kept: entry.orders) { continue }
            let reason = "kept notional \(DecimalAmount(entry.notional)) above max_kept_notional \(entry.cap) on \(venue.id) (\(entry.orders.count) kept order(s))"
            await engine.trip(scope: scope, reason: reason, actor: "keep-cap")
        }
    }
}
