/// A trigger rule as configured (`[[rules]]`). Parsed and validated by KillSwitchConfig; evaluated by the
/// rule evaluators in this folder.
public struct RuleDefinition: Sendable, Hashable {
    public var id: String
    public var scope: Scope
    public var kind: Kind

    public init(id: String, scope: Scope, kind: Kind) {
        self.id = id
        self.scope = scope
        self.kind = kind
    }

    public enum Kind: Sendable, Hashable {
        /// Source must heartbeat at least every `timeout`; the first deadline runs from start (or re-arm) + `grace`.
        case heartbeat(source: String, timeout: Duration, grace: Duration)
        /// Trading-day PnL (realizedToday + unrealized) summed over `venues` at or below −limit.
        case lossLimit(venues: [String], limit: DecimalAmount)
        /// Equity summed over `venues` down `limit` from the day's peak.
        case drawdown(venues: [String], limit: DrawdownLimit)
        /// More than `maxOrders` new orders in any sliding window of `window`.
        case orderRate(maxOrders: Int, window: Duration, per: OrderRateGrouping)
        /// More than `maxOpenOrders` open orders or more than `maxOpenNotional` open notional in scope.
        case exposure(maxOpenOrders: Int?, maxOpenNotional: DecimalAmount?)
        /// More than `maxRejects` venue rejects in `window`.
        case rejectStorm(maxRejects: Int, window: Duration)
        /// `feed` (a venue's PnL marks, a heartbeat source) has had no data newer than `maxAge`.
        case staleFeed(feed: FeedName, maxAge: Duration)
        /// The venue's countdown cancel-all could not be refreshed `failures` times in a row: the venue may
        /// cancel the scope at any moment, or the daemon cannot reach it. Never written in `[[rules]]`: one per
        /// venue entry with `dms`, id `dms-lost.<venue>` (`countdownLossRuleId`).
        case dmsLost(failures: Int)
    }

    /// The id of the `dms-lost` rule a venue entry with `dms` gets.
    public static func countdownLossRuleId(venue: String) -> String { "dms-lost.\(venue)" }

    public var typeName: String {
        switch kind {
        case .heartbeat: "heartbeat"
        case .lossLimit: "loss-limit"
        case .drawdown: "drawdown"
        case .orderRate: "order-rate"
        case .exposure: "exposure"
        case .rejectStorm: "reject-storm"
        case .staleFeed: "stale-feed"
        case .dmsLost: "dms-lost"
        }
    }

    public static let typeNames = ["heartbeat", "loss-limit", "drawdown", "order-rate", "exposure", "reject-storm", "stale-feed"]
}

public enum DrawdownLimit: Sendable, Hashable {
    case absolute(DecimalAmount)
    /// Percent of the day's peak equity, e.g. 8 for "8%".
    case percent(DecimalAmount)
}

public enum OrderRateGrouping: String, Sendable, Hashable, CaseIterable {
    case account
    case accountSymbol = "account-symbol"
}

/// When the trading day starts, for loss-limit and drawdown (`[trading_day]`).
public struct TradingDay: Sendable, Hashable {
    /// Minutes after midnight in `timeZoneIdentifier`.
    public var startMinute: Int
    public var timeZoneIdentifier: String

    public init(startMinute: Int = 0, timeZoneIdentifier: String = "UTC") {
        self.startMinute = startMinute
        self.timeZoneIdentifier = timeZoneIdentifier
    }
}
