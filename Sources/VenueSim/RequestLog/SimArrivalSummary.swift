/// The most arrivals (and the most weight) in any window of `windowMs`, computed from the request log, for
/// one rate-limit key or one filter (exchange/market/path/account). Two arrivals are in one window when they
/// arrived less than `windowMs` apart. `limit` is the count (Binance: weight) the simulator enforces for the
/// key, when the summary is for one key. `requests` counts the matching log entries, `refused` those answered
/// 429/418. By default every arrival counts, refused ones included (they were sent); `admittedOnly` counts
/// only those the limit let through.
///
/// The request log keeps the newest `requestLogCapacity` entries: older ones are not counted.
public struct SimArrivalSummary: Sendable, Codable, Hashable {
    public var limitKey: String?
    public var exchange: String?
    public var market: String?
    public var path: String?
    public var account: String?
    public var windowMs: Int64
    public var limit: Double?
    public var requests: Int
    public var refused: Int
    public var maxArrivals: Int
    /// Arrival time of the first request of the busiest window.
    public var maxArrivalsAtMs: Int64?
    public var maxWeight: Double
    public var maxWeightAtMs: Int64?

    /// Whether the busiest window stayed within `limit` (by weight, which is the count where every request
    /// costs 1; true when there is no limit).
    public var withinLimit: Bool {
        guard let limit else { return true }
        return maxWeight <= limit + 1e-9
    }
}

/// A filter over request-log entries.
public struct SimArrivalFilter: Sendable, Hashable {
    public var limitKey: String?
    public var exchange: String?
    public var market: String?
    /// Exact path, or a prefix when it ends with `*`.
    public var path: String?
    /// API key as logged.
    public var account: String?
    public var since: Int
    public var admittedOnly: Bool

    public init(
        limitKey: String? = nil, exchange: String? = nil, market: String? = nil, path: String? = nil, account: String? = nil,
        since: Int = 0, admittedOnly: Bool = false
    ) {
        self.limitKey = limitKey
        self.exchange = exchange
        self.market = market
        self.path = path
        self.account = account
        self.since = since
        self.admittedOnly = admittedOnly
    }

    func matches(_ entry: SimRequestLogEntry) -> Bool {
        if entry.id <= since { return false }
        if let limitKey, entry.limitKey != limitKey { return false }
        if let exchange, entry.exchange != exchange { return false }
        if let market, entry.market != market { return false }
        if let path {
            if path.hasSuffix("*") {
                if !entry.path.hasPrefix(path.dropLast()) { return false }
            } else if entry.path != path {
                return false
            }
        }
        if let account, entry.account != account { return false }
        if admittedOnly, SimArrivals.isRefused(entry) { return false }
        return true
    }
}

enum SimArrivals {
    static func isRefused(_ entry: SimRequestLogEntry) -> Bool {
        entry.status == 429 || entry.status == 418 || entry.verdict == "rate-limited" || entry.verdict == "banned"
            || entry.verdict == "fault:rate-limit"
    }

    /// The busiest window of `windowMs` over `entries` (any order), by count and by weight.
    static func summarize(_ entries: [SimRequestLogEntry], filter: SimArrivalFilter, windowMs: Int64, limit: Double?) -> SimArrivalSummary {
        let sorted = entries.sorted { ($0.receivedAtMs, $0.id) < ($1.receivedAtMs, $1.id) }
        var summary = SimArrivalSummary(
            limitKey: filter.limitKey, exchange: filter.exchange, market: filter.market, path: filter.path, account: filter.account,
            windowMs: windowMs, limit: limit, requests: sorted.count, refused: sorted.filter(isRefused).count,
            maxArrivals: 0, maxArrivalsAtMs: nil, maxWeight: 0, maxWeightAtMs: nil
        )
        var start = 0
        var weight = 0.0
        for end in sorted.indices {
            weight += sorted[end].weight ?? 1
            while sorted[end].receivedAtMs - sorted[start].receivedAtMs >= windowMs {
                weight -= sorted[start].weight ?? 1
                start += 1
            }
            let count = end - start + 1
            if count > summary.maxArrivals {
                summary.maxArrivals = count
                summary.maxArrivalsAtMs = sorted[start].receivedAtMs
            }
            if weight > summary.maxWeight + 1e-9 {
                summary.maxWeight = weight
                summary.maxWeightAtMs = sorted[start].receivedAtMs
            }
        }
        return summary
    }
}
