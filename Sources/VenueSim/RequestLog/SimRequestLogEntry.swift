/// One venue request as the simulator saw it.
///
/// `receivedAtMs` is simulator time at arrival. `status` is the HTTP status answered, 0 when no answer was
/// given (timeout and reset faults). `verdict` is `ok`, `bad-signature`, `expired`, `unknown-key`,
/// `rate-limited`, `bad-request`, `not-found` or `fault:<kind>` (`error`, `timeout`, `reset`, `malformed`,
/// `rate-limit`, `partial-failure`, `fill-while-cancelling`). `orderIds` are the ids of the simulator's
/// orders the request touched (cancelled, failed or listed-for-cancel). `limitKey` is the rate-limit key the
/// request was counted under (`exchange|market|owner-or-ip|scope`, nil when no limit applied, e.g. public
/// time endpoints or limits off) and `weight` its cost under that key (1, or Binance's request weight).
/// A Binance IP ban answers `banned`.
public struct SimRequestLogEntry: Sendable, Codable, Hashable {
    public var id: Int
    public var receivedAtMs: Int64
    /// Arrival on the host's wall clock in microseconds (no simulated offset): latency benchmarks need finer
    /// than whole milliseconds.
    public var receivedAtMicros: Int64?
    public var exchange: String
    public var market: String
    public var method: String
    public var path: String
    public var account: String?
    public var status: Int
    public var verdict: String
    public var orderIds: [String]
    public var limitKey: String?
    public var weight: Double?

    public init(
        id: Int, receivedAtMs: Int64, receivedAtMicros: Int64? = nil, exchange: String, market: String, method: String, path: String,
        account: String?, status: Int, verdict: String, orderIds: [String], limitKey: String? = nil, weight: Double? = nil
    ) {
        self.id = id
        self.receivedAtMs = receivedAtMs
        self.receivedAtMicros = receivedAtMicros
        self.exchange = exchange
        self.market = market
        self.method = method
        self.path = path
        self.account = account
        self.status = status
        self.verdict = verdict
        self.orderIds = orderIds
        self.limitKey = limitKey
        self.weight = weight
    }
}
