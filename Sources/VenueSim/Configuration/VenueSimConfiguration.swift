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
    /// Arrival-time tolerance. Limits are counted strictly (a log of arrival times per limit key; a request is
    /// refused when admitting it would put more than N requests, or Binance weight, in any window of W), but
    /// the window a refusal is judged on is W − tolerance: two arrivals count in one window only when they are
    /// less than W − tolerance apart. So a client that sends evenly at the published rate, with network jitter
    /// up to the tolerance bunching its requests on the way, is never refused, while one that sends N + 1
    /// inside the window is. A client wanting zero refusals spaces its windows by W + tolerance. 0 = exact.
    public var rateLimitToleranceMs: Int64 = 5
    /// Binance bans an IP (HTTP 418) after this many weight refusals (429) within `binanceBanRefusalWindowMs`;
    /// 0 never bans (see `BinanceBans`).
    public var binanceBanAfterRefusals: Int = 5
    public var binanceBanRefusalWindowMs: Int64 = 60_000
    /// The first ban's length (Binance: "2 minutes up to 3 days"); each further ban of the IP doubles it.
    public var binanceBanDurationMs: Int64 = 120_000
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
    /// Bitget `orders-pending` without `status`: whether partially filled orders are listed too. The page
    /// offers `status` = `live` | `partially_filled` and does not say what no status returns (UNVERIFIED).
    /// Default off (only `live`): the reading that hurts a client relying on one unfiltered listing — its
    /// partially filled orders go unseen. Either way a client listing both states explicitly sees everything.
    public var bitgetPendingWithoutStatusIncludesPartiallyFilled: Bool = false
    /// Bitget `cancel-all-orders` (and `batch-cancel-orders` without ids): whether `marginCoin` narrows the
    /// scope. The pages list it without saying (UNVERIFIED). Default off: the whole product type is cancelled
    /// whatever `marginCoin` says — the reading that hurts a client expecting the narrower scope.
    public var bitgetCancelAllHonoursMarginCoin: Bool = false
    /// Gate spot listings (`GET /spot/open_orders`, `GET /spot/orders`) without `account`: every account type's
    /// orders (spot, margin, cross_margin, unified). The SDK documents this for `GET /spot/orders` ("spot,
    /// unified account and isolated margin") and for `DELETE /spot/orders`; for `open_orders` it is UNVERIFIED.
    /// Off: only the `spot` account's orders.
    public var gateSpotListingWithoutAccountCoversAllAccounts: Bool = true
    /// Gate spot batch cancel: an order in the `unified` account is only found when its item says
    /// `"account": "unified"` (the SDK: "must be specified and set to unified" for a unified account key;
    /// what an item without it answers is UNVERIFIED). On (default, the reading that hurts ccxt-style clients
    /// that never send `account`): such an item fails `ORDER_NOT_FOUND`. Off: any account matches.
    public var gateSpotBatchCancelUnifiedNeedsAccount: Bool = true
    /// Gate spot `countdown_cancel_all` covers every spot account type (spot, margin, cross_margin, unified).
    /// The docs say only "all pending orders on the market you specified"/"all markets" (UNVERIFIED which
    /// accounts). Default on: the widest reach, which a desk must plan for. Off: only the `spot` account.
    public var gateSpotCountdownCoversAllAccounts: Bool = true
    /// Gate futures `DELETE /futures/{settle}/orders` without `contract`: gate_api 7.2.161 makes `contract`
    /// optional (every contract of the settle); older docs and SDKs had it required. On: refuse it
    /// (400 MISSING_REQUIRED_PARAM), for testing a client's per-contract fallback. Default off.
    public var gateFuturesCancelAllRequiresContract: Bool = false
    /// Gate futures cancels: one 200/s pool per UID for both settles (on, default: the limits table has one row
    /// for perpetual futures, and the stricter reading exposes a client pacing each settle on its own), or one
    /// per settle (off). UNVERIFIED.
    public var gateFuturesSettlesShareCancelPool: Bool = true
    /// HTX manual orders (`origin` set, no client id): `client-order-id` left out of listings (on, default) or
    /// sent as "" (off). HTX's listings carry `client-order-id` only when one was given (UNVERIFIED which
    /// form); API orders without a client id are sent as "" either way, so a listing mixes both forms.
    public var htxManualOrdersOmitClientOrderId: Bool = true

    /// Gate spot batch cancel: an item's `id` may be the custom `text` id only within this long of the
    /// order's creation (docs/venues.md §1: "the latter only within 30 min of creation"); nil: always.
    public var gateSpotTextIdWindowMs: Int64? = 1_800_000

    public init() {}
}
