/// `POST /v1/pnl` body: `{venue, time, currency, realizedToday, unrealized, equity}`; `time` is RFC 3339 and
/// the amounts are decimal strings (never binary floating point).
public struct PnLMarkBody: Sendable, Hashable, Codable, ControlRequestBody {
    public var venue: String
    public var time: String
    public var currency: String
    public var realizedToday: String
    public var unrealized: String
    public var equity: String

    public static let fields: Set<String> = ["venue", "time", "currency", "realizedToday", "unrealized", "equity"]

    public init(venue: String, time: String, currency: String, realizedToday: String, unrealized: String, equity: String) {
        self.venue = venue
        self.time = time
        self.currency = currency
        self.realizedToday = realizedToday
        self.unrealized = unrealized
        self.equity = equity
    }
}

/// `POST /v1/pnl` answer.
public struct PnLAnswer: Sendable, Hashable, Codable {
    public var recorded: Bool

    public init(recorded: Bool) { self.recorded = recorded }
}
