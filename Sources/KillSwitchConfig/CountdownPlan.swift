import Foundation
import KillSwitchCore

/// The venue entries one countdown cancel-all reaches, with the settings it is armed with.
public struct CountdownGroup: Sendable, Hashable {
    /// What the countdown reaches on the venue (`CountdownPlan.reachKey`).
    public var key: String
    public var kind: VenueKind
    /// Every entry it reaches, in config order (each enables `dms`: the plan is refused otherwise).
    public var venueIds: [String]
    public var settings: CountdownSettings
    /// The enabled entry whose client arms and refreshes it; nil when every entry is disabled.
    public var armingVenueId: String?
}

/// Which countdowns the daemon arms, what each reaches, and what refreshing them costs: the checks behind
/// `dms` (a config error names the keys, exit 78) and the lines `config check` prints.
///
/// A countdown cancels everything it reaches when it fires, and that is wider than an entry: the same venue
/// account (`uid`) — on Gate spot every spot account type and market, on Gate futures every contract of the
/// settle, on HTX the whole account, on Binance the symbol. So `dms` is refused unless every entry it reaches
/// enables it too, with the same settings (one countdown serves them all), and none of them is an entry a
/// countdown must not cover.
public enum CountdownPlan {
    /// What a countdown without a symbol reaches on the venue; nil for a venue without one (Bitget).
    public static func reachKey(_ venue: VenueDescriptor) -> String? {
        guard venue.kind.hasCountdown else { return nil }
        // Without a uid (a disabled entry that names none) the account is unknown: only the entry itself.
        let who = venue.uid.map { "uid:\($0)" } ?? "entry:\(venue.id)"
        switch venue.kind {
        case .gateFutures: return "gate|\(who)|futures|settle=\(venue.market.settle ?? "-")"
        case .gateSpot: return "gate|\(who)|spot"
        case .htxSpot: return "htx|\(who)"
        case .binanceCoinM: return "binance|\(who)"
        case .bitgetMix: return nil
        }
    }

    /// Why an entry must never be covered by a countdown (it would cancel orders the desk wants kept); nil when
    /// it may be. A countdown that fires is a venue cancel-all: it cannot spare an order a `keep` rule protects.
    public static func cannotBeCovered(_ venue: VenueConfiguration) -> String? {
        venue.descriptor.keep == nil ? nil : "it has keep rules, and a countdown that fires cancels every order it reaches, kept ones too"
    }

    /// Why the daemon arms no countdown at all, or nil: in shadow mode nothing that can cancel is sent, and an
    /// armed countdown cancels when the daemon stops refreshing it.
    public static func armsNothing(_ config: KillSwitchConfiguration) -> String? {
        config.engine.mode == .shadow
            ? "shadow mode: no countdown is armed, refreshed or disarmed; one a live run left armed at its stop (on_stop = leave) still fires" : nil
    }

    /// One `dms-lost` rule per enabled venue entry with `dms`, scoped to the entry (ids `dms-lost.<venue>`).
    public static func lossRules(_ config: KillSwitchConfiguration) -> [RuleDefinition] {
        config.venues.filter { $0.dms != nil && $0.descriptor.enabled }.map { venue in
            RuleDefinition(id: RuleDefinition.countdownLossRuleId(venue: venue.descriptor.id), scope: Scope(venue: venue.descriptor.id),
                           kind: .dmsLost(failures: config.engine.dmsFailures))
        }
    }

    /// The configuration with every `dms-lost` rule it implies (a configuration built in code rather than
    /// parsed gets them here; parsing adds them already).
    public static func withLossRules(_ config: KillSwitchConfiguration) -> KillSwitchConfiguration {
        var config = config
        for rule in lossRules(config) where !config.rules.contains(where: { $0.id == rule.id }) { config.rules.append(rule) }
        return config
    }

    /// The countdowns to arm: one per reach key that has an entry with `dms`, in config order.
    public static func groups(_ config: KillSwitchConfiguration) -> [CountdownGroup] {
        var groups: [CountdownGroup] = []
        for venue in config.venues {
            guard let key = reachKey(venue.descriptor) else { continue }
            if let index = groups.firstIndex(where: { $0.key == key }) {
                groups[index].venueIds.append(venue.descriptor.id)
                if groups[index].armingVenueId == nil, venue.descriptor.enabled, venue.dms != nil { groups[index].armingVenueId = venue.descriptor.id }
            } else if let settings = config.venues.first(where: { reachKey($0.descriptor) == key && $0.dms != nil })?.dms {
                groups.append(CountdownGroup(key: key, kind: venue.descriptor.kind, venueIds: [venue.descriptor.id], settings: settings,
                                             armingVenueId: venue.descriptor.enabled && venue.dms != nil ? venue.descriptor.id : nil))
            }
        }
        return groups
    }

    /// Every entry a countdown reaches must enable `dms` itself, with the same settings, and may be covered.
    public static func reachIssues(_ config: KillSwitchConfiguration) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        let index = Dictionary(config.venues.enumerated().map { ($1.descriptor.id, $0) }, uniquingKeysWith: { a, _ in a })
        for group in groups(config) {
            guard let firstIndex = group.venueIds.compactMap({ index[$0] }).first(where: { config.venues[$0].dms != nil }) else { continue }
            let first = config.venues[firstIndex]
            let reach = "\(group.kind.countdownReach); uid \(first.descriptor.uid ?? "unknown")"
            for id in group.venueIds {
                guard let i = index[id] else { continue }
                let venue = config.venues[i]
                if venue.dms == nil {
                    issues.append(ConfigIssue(path: "venues[\(firstIndex)].dms", message: "the countdown of venue \(first.descriptor.id) would also cancel venue \(id)'s orders (it reaches \(reach)), and venues[\(i)] does not enable dms itself: add the same dms to venues[\(i)], or remove it here"))
                } else if venue.dms != first.dms {
                    issues.append(ConfigIssue(path: "venues[\(i)].dms", message: "differs from venues[\(firstIndex)].dms (venue \(first.descriptor.id)), but one countdown covers both (it reaches \(reach)): give both the same timeout, refresh, on_stop and symbols"))
                }
                if let reason = cannotBeCovered(venue) {
                    issues.append(ConfigIssue(path: "venues[\(i)]", message: "venue \(id) is reached by the countdown of venue \(first.descriptor.id) (\(reach)) but must not be: \(reason); remove dms from venues[\(firstIndex)]"))
                }
            }
        }
        return issues
    }

    /// What refreshes cost in one rate-limit pool, against what they may take from it.
    public struct PoolCost: Sendable, Hashable {
        public var pool: String
        public var kind: VenueKind
        public var limit: BucketLimit
        public var budgetPerMinute: Double
        public var costPerMinute: Double
        /// The groups drawing on it and each one's cost per minute.
        public var groups: [String: Double]
        /// Cost per minute of one more symbol refreshed every `refresh` (Binance: symbols armed on first sight).
        public var unit: String { kind == .binanceCoinM ? "weight" : "requests" }
    }

    /// The pool a group's refreshes draw from (Binance: the IP's weight, shared with cancels).
    public static func poolKey(_ group: CountdownGroup, config: KillSwitchConfiguration) -> String? {
        guard let rule = CountdownBudget.rule(kind: group.kind),
              let venue = config.venues.first(where: { $0.descriptor.id == (group.armingVenueId ?? group.venueIds.first) }) else { return nil }
        if rule.perIP { return "\(group.kind.exchange)/ip/\(rule.pool)" }
        return "\(VenueRateLimits.owner(kind: group.kind, uid: venue.descriptor.uid, account: venue.descriptor.account))/\(rule.pool)"
    }

    /// Refresh cost per pool at the published limits (the daemon checks Binance again against the live
    /// REQUEST_WEIGHT it reads from `exchangeInfo`). Binance counts the configured symbols; every symbol armed
    /// on first sight adds its cost.
    public static func costs(_ config: KillSwitchConfiguration) -> [PoolCost] {
        var pools: [PoolCost] = []
        for group in groups(config) where group.armingVenueId != nil {
            guard let key = poolKey(group, config: config), let rule = CountdownBudget.rule(kind: group.kind) else { continue }
            let targets = group.kind.countdownPerSymbol ? group.settings.symbols.count : 1
            let cost = CountdownBudget.costPerMinute(kind: group.kind, refresh: group.settings.refresh, targets: targets)
            if let i = pools.firstIndex(where: { $0.pool == key }) {
                pools[i].costPerMinute += cost
                pools[i].groups[group.key] = cost
            } else {
                pools.append(PoolCost(pool: key, kind: group.kind, limit: rule.limit, budgetPerMinute: CountdownBudget.budgetPerMinute(kind: group.kind, limit: rule.limit),
                                      costPerMinute: cost, groups: [group.key: cost]))
            }
        }
        return pools
    }

    /// A plan whose refreshes would take more than their budget is refused, naming each `dms` on the pool.
    public static func budgetIssues(_ config: KillSwitchConfiguration) -> [ConfigIssue] {
        var issues: [ConfigIssue] = []
        let groups = groups(config)
        for pool in costs(config) where pool.costPerMinute > pool.budgetPerMinute + 1e-9 {
            let share = pool.kind == .binanceCoinM ? "\(Int(CountdownBudget.binanceShare * 100))% of REQUEST_WEIGHT \(pool.limit)" : "the endpoint's own limit \(pool.limit)"
            for group in groups where pool.groups[group.key] != nil {
                guard let index = config.venues.firstIndex(where: { $0.descriptor.id == group.armingVenueId }) else { continue }
                issues.append(ConfigIssue(path: "venues[\(index)].dms", message: "countdown refreshes would cost \(format(pool.costPerMinute)) \(pool.unit)/min on \(pool.pool), over their budget of \(format(pool.budgetPerMinute))/min (\(share)): refresh less often\(pool.kind == .binanceCoinM ? " or arm fewer symbols" : "")"))
            }
        }
        return issues
    }

    /// One line per countdown for `config check`: what it reaches, how it is armed, and its cost.
    public static func describe(_ config: KillSwitchConfiguration) -> [String] {
        let pools = costs(config)
        var lines: [String] = []
        if let reason = armsNothing(config) { lines.append("dms: nothing is armed (\(reason))") }
        for group in groups(config) {
            let s = group.settings
            var line = "dms \(group.venueIds.joined(separator: ", ")): \(group.kind.rawValue) countdown reaching \(group.kind.countdownReach); timeout \(DurationText.format(s.timeout)), refresh every \(DurationText.format(s.refresh)), on stop \(s.onStop.rawValue)"
            guard group.armingVenueId != nil, let key = poolKey(group, config: config), let pool = pools.first(where: { $0.pool == key }) else {
                lines.append(line + "; not armed (every entry is disabled)")
                continue
            }
            let cost = pool.groups[group.key] ?? 0
            if group.kind.countdownPerSymbol {
                let perSymbol = CountdownBudget.costPerMinute(kind: group.kind, refresh: s.refresh, targets: 1)
                let room = perSymbol > 0 ? Int(((pool.budgetPerMinute - pool.costPerMinute) / perSymbol).rounded(.down)) : 0
                line += "; symbols \(s.symbols.isEmpty ? "(none configured)" : s.symbols.joined(separator: ", ")) plus each symbol with an open order; refresh cost \(format(cost)) weight/min (\(format(perSymbol)) per symbol), budget \(format(pool.budgetPerMinute)) weight/min (\(Int(CountdownBudget.binanceShare * 100))% of REQUEST_WEIGHT \(pool.limit) on \(pool.pool)): room for \(max(0, room)) more symbol(s)"
            } else {
                line += "; refresh cost \(format(cost)) requests/min of \(pool.pool) (\(pool.limit), budget \(format(pool.budgetPerMinute))/min)"
                if group.kind == .htxSpot { line += "; above 500 open orders it is partial protection" }
            }
            lines.append(line)
        }
        for venue in config.venues where !venue.descriptor.kind.hasCountdown {
            lines.append("dms \(venue.descriptor.id): none (\(venue.descriptor.kind.rawValue) has no countdown cancel-all): daemon-only protection")
        }
        return lines
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
