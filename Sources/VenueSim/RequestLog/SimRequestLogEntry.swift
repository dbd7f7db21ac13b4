/// One venue request as the simulator saw it.
///
/// `receivedAtMs` is simulator time at arrival. `status` is the HTTP status answered, 0 when no answer was
/// given (timeout and reset faults). `verdict` is `ok`, `bad-signature`, `expired`, `unknown-key`,
/// `rate-limited`, `bad-request`, `not-found` or `fault:<kind>` (`error`, `timeout`, `reset`, `malformed`,
/// `rate-limit`, `partial-failure`, `fill-while-cancelling`). `orderIds` are the ids of the simulator's
/// orders the request touched (cancelled, failed or listed-for-cancel).
public struct SimRequestLogEntry: Sendable, Codable, Hashable {
    public var id: Int
    public var receivedAtMs: Int64
    public var exchange: String
    public var market: String
    public var method: String
    public var path: String
    public var account: String?
    public var status: Int
    public var verdict: String
    public var orderIds: [String]

    public init(
        id: Int, receivedAtMs: Int64, exchange: String, market: String, method: String, path: String,
        account: String?, status: Int, verdict: String, orderIds: [String]
    ) {
        self.id = id
        self.receivedAtMs = receivedAtMs
        self.exchange = exchange
        self.market = market
        self.method = method
        self.path = path
        self.account = account
        self.status = status
        self.verdict = verdict
        self.orderIds = orderIds
    }
}
