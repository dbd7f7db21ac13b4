import KillSwitchCore

extension ConfigParser {
    static func parseScope(_ t: TableReader, venues: [VenueConfiguration]) -> Scope {
        guard let table = t.table("scope") else { return .everything }
        let scope = Scope(venue: table.string("venue"), account: table.string("account"), symbol: table.string("symbol"))
        if let venue = scope.venue, !venues.contains(where: { $0.descriptor.id == venue }) {
            table.issue("venue", "unknown venue \"\(venue)\"; configured: \(venues.map(\.descriptor.id).joined(separator: ", "))")
        }
        table.finish()
        return scope
    }

    static func parseRule(_ t: TableReader, venues: [VenueConfiguration]) -> RuleDefinition? {
        let id = t.string("id", required: true)
        checkIdentifier(t, "id", id)
        let type = t.string("type", required: true)
        let scope = parseScope(t, venues: venues)
        var kind: RuleDefinition.Kind?
        switch type {
        case "heartbeat"?:
            let source = t.string("source", required: true)
            let timeout = t.duration("timeout", required: true)
            let grace = t.duration("grace") ?? .seconds(30)
            if let source, let timeout { kind = .heartbeat(source: source, timeout: timeout, grace: grace) }
        case "loss-limit"?:
            let ruleVenues = pnlVenues(t, venues: venues)
            let limit = t.decimal("limit", required: true)
            if let limit, limit.isZero { t.issue("limit", "must be greater than zero") }
            if let ruleVenues, let limit { kind = .lossLimit(venues: ruleVenues, limit: limit) }
        case "drawdown"?:
            let ruleVenues = pnlVenues(t, venues: venues)
            let limit = drawdownLimit(t)
            if let ruleVenues, let limit { kind = .drawdown(venues: ruleVenues, limit: limit) }
        case "order-rate"?:
            let maxOrders = t.integer("max_orders", required: true, range: 1...10_000_000)
            let window = t.duration("window", required: true)
            var per = OrderRateGrouping.account
            if let text = t.string("per") {
                if let parsed = OrderRateGrouping(rawValue: text) { per = parsed } else {
                    t.issue("per", "unknown grouping \"\(text)\"; expected \"account\" or \"account-symbol\"")
                }
            }
            if let maxOrders, let window { kind = .orderRate(maxOrders: maxOrders, window: window, per: per) }
        case "exposure"?:
            let maxOrders = t.integer("max_open_orders", range: 0...100_000_000)
            let maxNotional = t.decimal("max_open_notional")
            if maxOrders == nil && maxNotional == nil && !t.has("max_open_orders") && !t.has("max_open_notional") {
                t.issue("max_open_orders", "an exposure rule needs max_open_orders, max_open_notional or both")
            }
            kind = .exposure(maxOpenOrders: maxOrders, maxOpenNotional: maxNotional)
        case "reject-storm"?:
            let maxRejects = t.integer("max_rejects", required: true, range: 1...10_000_000)
            let window = t.duration("window", required: true)
            if let maxRejects, let window { kind = .rejectStorm(maxRejects: maxRejects, window: window) }
        case "stale-feed"?:
            let feed = feedName(t, venues: venues)
            let maxAge = t.duration("max_age", required: true)
            if let feed, let maxAge { kind = .staleFeed(feed: feed, maxAge: maxAge) }
        case "dms-lost"?:
            t.issue("type", "dms-lost rules are not written here: each venue with dms gets one (id dms-lost.<venue>); set [engine] dms_failures")
        case let other?:
            t.issue("type", "unknown rule type \"\(other)\"; expected one of \(RuleDefinition.typeNames.joined(separator: ", "))")
        case nil:
            break
        }
        t.finish()
        guard let id, let kind else { return nil }
        return RuleDefinition(id: id, scope: scope, kind: kind)
    }

    /// The venue accounts whose PnL marks a loss-limit or drawdown rule sums.
    static func pnlVenues(_ t: TableReader, venues: [VenueConfiguration]) -> [String]? {
        guard let ids = t.stringArray("venues", required: true) else { return nil }
        if ids.isEmpty { t.issue("venues", "must name at least one venue"); return nil }
        for (index, id) in ids.enumerated() where !venues.contains(where: { $0.descriptor.id == id }) {
            t.issue("venues[\(index)]", "unknown venue \"\(id)\"; configured: \(venues.map(\.descriptor.id).joined(separator: ", "))")
        }
        return ids
    }

    /// A `stale-feed` rule's `feed`: `pnl:<venue id>` (a configured venue) or `heartbeat:<source>`.
    static func feedName(_ t: TableReader, venues: [VenueConfiguration]) -> FeedName? {
        guard let text = t.string("feed", required: true) else { return nil }
        guard let feed = FeedName(text) else {
            t.issue("feed", "unknown feed \"\(text)\"; expected \(FeedName.forms)")
            return nil
        }
        if feed.kind == .pnl, !venues.contains(where: { $0.descriptor.id == feed.name }) {
            t.issue("feed", "unknown venue \"\(feed.name)\" in \"\(text)\"; configured: \(venues.map(\.descriptor.id).joined(separator: ", "))")
            return nil
        }
        return feed
    }

    static func drawdownLimit(_ t: TableReader) -> DrawdownLimit? {
        if case .string(let text)? = t.entries["limit"], text.hasSuffix("%") {
            _ = t.node("limit")
            guard let percent = DecimalAmount(String(text.dropLast())), !percent.isNegative, !percent.isZero,
                  percent < DecimalAmount(integer: 100) || percent == DecimalAmount(integer: 100)
            else {
                t.issue("limit", "invalid percentage \"\(text)\": expected more than 0% and at most 100%")
                return nil
            }
            return .percent(percent)
        }
        guard let amount = t.decimal("limit", required: true) else { return nil }
        if amount.isZero { t.issue("limit", "must be greater than zero"); return nil }
        return .absolute(amount)
    }
}
