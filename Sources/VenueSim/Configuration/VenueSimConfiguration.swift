import Logging

/// Everything `VenueSimulator.start` needs. Defaults: loopback, demo accounts, no latency,
/// limits on, HTX's "submitted" cancels leaving the open list after 50 ms of simulator time.
public struct VenueSimConfiguration: Sendable {
    /// Loopback by default; the simulator is never meant for a public interface.
    public var host: String = "127.0.0.1"
    /// 0 picks a free port (read it back from `VenueSimulator.port`).
    public var port: Int = 0
    public var accounts: [SimAccount] = SimAccount.demoAccounts
    /// Delay added before every venue answer (real time; the request is judged at arrival).
    public var latencyMs: Int = 0
    /// Extra uniformly random delay 0...jitterMs (seeded).
    public var jitterMs: Int = 0
    /// Seed of every random choice (faults, jitter), so runs repeat.
    public var seed: UInt64 = 1
    /// How long an HTX order stays in the open list after its cancel was accepted as "submitted".
    public var htxCancelDelayMs: Int64 = 50
    public var clock: any SimClock = SystemSimClock()
    /// Master switch for every rate limit.
    public var rateLimitsEnabled: Bool = true
    /// Per exchange/market changes to the published limits (see `SimRateLimitOverride`).
    public var rateLimitOverrides: [SimRateLimitOverride] = []
    /// Requests this much earlier than a token is due are still accepted (clock jitter between client and us).
    public var rateLimitToleranceMs: Int64 = 5
    /// Newest entries kept in the request log.
    public var requestLogCapacity: Int = 100_000
    public var windows: SimTimestampWindows = SimTimestampWindows()
    public var compatibility: SimCompatibility = SimCompatibility()
    /// How long a `timeoutRate` fault holds the request before closing the connection without an answer (real time).
    public var timeoutFaultHoldMs: Int = 60_000
    public var logLevel: Logger.Level = .warning

    public init() {}

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        accounts: [SimAccount] = SimAccount.demoAccounts,
        latencyMs: Int = 0,
        jitterMs: Int = 0,
        seed: UInt64 = 1,
        htxCancelDelayMs: Int64 = 50,
        clock: any SimClock = SystemSimClock(),
        rateLimitsEnabled: Bool = true,
        rateLimitOverrides: [SimRateLimitOverride] = []
    ) {
        self.host = host
        self.port = port
        self.accounts = accounts
        self.latencyMs = latencyMs
        self.jitterMs = jitterMs
        self.seed = seed
        self.htxCancelDelayMs = htxCancelDelayMs
        self.clock = clock
        self.rateLimitsEnabled = rateLimitsEnabled
        self.rateLimitOverrides = rateLimitOverrides
    }
}

/// Clock tolerances per venue, in milliseconds.
public struct SimTimestampWindows: Sendable {
    /// Gate: `Timestamp` within ±60 s.
    public var gateMs: Int64 = 60_000
    /// HTX: 5 minutes either way.
    public var htxMs: Int64 = 300_000
    /// Bitget: 30 s either way. UNVERIFIED against Bitget's primary docs (docs/venues.md 3a).
    public var bitgetMs: Int64 = 30_000
    /// Binance: `recvWindow` default and maximum, and how far ahead a timestamp may be.
    public var binanceDefaultRecvWindowMs: Int64 = 5_000
    public var binanceMaxRecvWindowMs: Int64 = 60_000
    public var binanceAheadMs: Int64 = 1_000

    public init() {}
}

/// Choices where docs/venues.md marks the real venue's behaviour UNVERIFIED; defaults are the most plausible.
public struct SimCompatibility: Sendable {
    /// Gate futures batch cancel: also match custom `text` ids (UNVERIFIED whether Gate does). Off: order ids only.
    public var gateFuturesAcceptsTextIds: Bool = false
    /// HTTP status of HTX's rate-limit answer (UNVERIFIED; HTX usually answers 200 with `status:"error"`,
    /// ccxt treats both 429 and the error codes as rate limits).
    public var htxRateLimitHTTPStatus: Int = 429
    /// Binance: accept bfc-CM-style repeated `orderIdList=1&orderIdList=2` (UNVERIFIED; off = -1130).
    public var binanceAcceptsRepeatedIdParams: Bool = false
    /// Bitget `orders-pending` with no orders: `"entrustedList": null` (as seen from the live venue by client
    /// libraries; UNVERIFIED in the docs). Off: an empty array.
    public var bitgetEmptyListAsNull: Bool = true

    public init() {}
}
