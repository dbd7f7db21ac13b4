/// Changes the published limit of one exchange (optionally one market): switch it off, or give it another
/// capacity and/or window. It applies to every bucket of that exchange/market (for Gate both the cancel
/// bucket and the per-endpoint one; for Binance the IP weight). A market-specific override wins over an
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
