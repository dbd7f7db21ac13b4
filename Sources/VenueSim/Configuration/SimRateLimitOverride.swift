/// Changes the published limit of one exchange (optionally one market): switch it off, or give it another
/// capacity (count, or Binance weight) and/or window. It applies to every limit key of that exchange/market
/// (for Gate both the cancel pool and the per-endpoint ones; for Binance the IP weight), and clears their
/// arrival logs. A market-specific override wins over an
/// exchange-wide one.
public struct SimRateLimitOverride: Sendable, Codable, Hashable {
    public var exchange: String
    public var market: String?
    public var enabled: Bool?
    public var capacity: Double?
    public var windowMs: Int64?

    public init(exchange: String, market: String? = nil, enabled: Bool? = nil, capacity: Double? = nil, windowMs: Int64? = nil) {
        self.exchange = exchange
        self.market = market
        self.enabled = enabled
        self.capacity = capacity
        self.windowMs = windowMs
    }
}
