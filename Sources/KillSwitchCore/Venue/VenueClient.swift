/// The seam between the trip engine and one venue account: an adapter speaks one venue's API and knows
/// nothing of incidents. `Venues` implements it for each `VenueKind`.
public protocol VenueClient: Sendable {
    var venueId: String { get }
    var kind: VenueKind { get }

    /// Sends one batch cancel and classifies the answer into one outcome per target. Never throws:
    /// transport failures come back as `unknown` (sent, no usable answer) or `retryable` (never sent).
    func cancel(_ batch: CancelBatch) async -> CancelRequestResult

    /// Cancels every open order of one symbol (or the whole configured settle / product when the venue
    /// offers nothing narrower than that and the caller asked for it) — never wider than asked.
    func cancelAll(symbol: String) async -> CancelAllResult

    /// Cancels every open order the venue account holds in the entry's market (Gate futures: the settle;
    /// Gate spot: the configured spot account; HTX: the spot account, in rounds until none is left; Bitget:
    /// the product type). Only for an entry `WholesaleCancel` allows; Binance has none (per symbol only).
    /// Defaulted below to "not supported", so test doubles need not implement it.
    func cancelAllOfEntry() async -> CancelAllResult

    /// Lists open orders (all symbols when nil), paging as needed.
    func openOrders(symbol: String?) async throws -> [VenueOpenOrder]

    /// Refreshes the server-clock offset from the venue's time endpoint; returns the new offset in ms
    /// (server minus local).
    func syncClock() async throws -> Int64

    /// A signed, read-only call proving the key works (lists open orders).
    func armedCheck() async -> ArmedCheckResult

    /// Proves the key may cancel without cancelling anything: one cancel of an order that cannot exist, which
    /// a key allowed to cancel gets "not found" for and a read-only key gets the venue's permission error for
    /// (`Venues.CancelProbe`). Defaulted below to "not probed", so test doubles need not implement it.
    func probeCancel() async -> ArmedCheckResult

    /// The venue's dead-man switch: unless called again within `timeoutSeconds`, the venue cancels the
    /// account's orders in scope (one symbol where the venue allows; 0 disarms). Venues without one
    /// (Bitget classic) answer `rejected` without sending anything. Defaulted below, so existing
    /// conformers (test doubles) need not implement it.
    func countdownCancelAll(symbol: String?, timeoutSeconds: Int) async -> CancelAllResult

    /// Opens the connection and syncs the clock before any trip needs them. Defaulted to a clock sync.
    func warmUp() async

    /// The venue's live request-weight limit where it publishes one (Binance `exchangeInfo`); nil where it
    /// does not. Defaulted to nil.
    func publishedWeightLimit() async throws -> BucketLimit?
}

extension VenueClient {
    public func cancelAllOfEntry() async -> CancelAllResult {
        CancelAllResult(kind: .rejected, httpStatus: nil, venueCode: nil, rawBody: "", latencyNanoseconds: 0, rateLimit: nil, transportError: "cancel-all of the entry not supported by this client")
    }

    public func countdownCancelAll(symbol: String?, timeoutSeconds: Int) async -> CancelAllResult {
        CancelAllResult(kind: .rejected, httpStatus: nil, venueCode: nil, rawBody: "", latencyNanoseconds: 0, rateLimit: nil, transportError: "countdown cancel-all not supported by this client")
    }

    public func warmUp() async {
        _ = try? await syncClock()
    }

    public func publishedWeightLimit() async throws -> BucketLimit? { nil }

    public func probeCancel() async -> ArmedCheckResult {
        ArmedCheckResult(ok: true, failure: nil, detail: "cancel permission not probed by this client")
    }
}

/// The answer to one batch-cancel request, kept whole for the audit.
public struct CancelRequestResult: Sendable {
    public var outcomes: [OrderCancelOutcome]
    /// nil when no HTTP answer came (timeout, connection reset, never sent).
    public var httpStatus: Int?
    /// The whole-request venue code when the venue gave one (error envelopes).
    public var venueCode: String?
    public var rawBody: String
    public var latencyNanoseconds: Int64
    public var rateLimit: RateLimitSignal?
    /// A transport error description, when there was no usable answer. Never contains secrets.
    public var transportError: String?
    /// Whether the request reached the wire (false: the caller may re-send without verifying first).
    public var wasSent: Bool
    /// The venue refused our key or account (auth, permission), not this request or its orders: sending the
    /// orders again one by one cannot help.
    public var refusesCredentials: Bool = false

    /// Whether the request was refused as a whole for a reason that may be one of its orders (an id the venue
    /// cannot take, an invalid parameter): its orders are worth sending again one by one.
    public var refusedAsARequest: Bool {
        outcomes.count > 1 && !refusesCredentials && outcomes.allSatisfy { $0.kind == .rejected }
    }

    public init(outcomes: [OrderCancelOutcome], httpStatus: Int?, venueCode: String?, rawBody: String, latencyNanoseconds: Int64, rateLimit: RateLimitSignal?, transportError: String?, wasSent: Bool = true) {
        self.outcomes = outcomes
        self.httpStatus = httpStatus
        self.venueCode = venueCode
        self.rawBody = rawBody
        self.latencyNanoseconds = latencyNanoseconds
        self.rateLimit = rateLimit
        self.transportError = transportError
        self.wasSent = wasSent
    }
}

public struct OrderCancelOutcome: Sendable, Hashable {
    public var target: CancelTarget
    public var kind: CancelOutcomeKind
    /// The venue's per-order code or label (`-2011`, `ORDER_NOT_FOUND`, `order-orderstate-error`, …).
    public var venueCode: String?
    public var message: String?

    public init(target: CancelTarget, kind: CancelOutcomeKind, venueCode: String? = nil, message: String? = nil) {
        self.target = target
        self.kind = kind
        self.venueCode = venueCode
        self.message = message
    }
}

public struct CancelAllResult: Sendable {
    /// `cancelled` when the venue accepted the cancel-all, otherwise the classification of its answer.
    public var kind: CancelOutcomeKind
    public var httpStatus: Int?
    public var venueCode: String?
    public var rawBody: String
    public var latencyNanoseconds: Int64
    public var rateLimit: RateLimitSignal?
    public var transportError: String?
    /// Venue order ids the answer names as cancelled (Gate and Bitget list them; Binance and HTX do not): each
    /// such order's outcome is the venue's word, recorded with the answer, not inferred from a later listing.
    public var named: [String]

    public init(kind: CancelOutcomeKind, httpStatus: Int?, venueCode: String?, rawBody: String, latencyNanoseconds: Int64, rateLimit: RateLimitSignal?, transportError: String?,
                named: [String] = []) {
        self.kind = kind
        self.named = named
        self.httpStatus = httpStatus
        self.venueCode = venueCode
        self.rawBody = rawBody
        self.latencyNanoseconds = latencyNanoseconds
        self.rateLimit = rateLimit
        self.transportError = transportError
    }
}

/// An order the venue lists as open.
public struct VenueOpenOrder: Sendable, Hashable {
    public var symbol: String
    public var venueOrderId: String
    /// The client's own id only (`ClientOrderIdReading`): never an origin label.
    public var clientOrderId: String?
    /// How the order was placed, as the venue labels it (Gate `text` such as `web`, HTX `source`, Bitget
    /// `enterPointSource`), when the venue says.
    public var origin: String?
    /// HTX order-state 10 and similar: a cancel is already under way.
    public var isCancelling: Bool

    public init(symbol: String, venueOrderId: String, clientOrderId: String?, origin: String? = nil, isCancelling: Bool = false) {
        self.symbol = symbol
        self.venueOrderId = venueOrderId
        self.clientOrderId = clientOrderId
        self.origin = origin
        self.isCancelling = isCancelling
    }
}

/// Rate-limit signals read from an answer: a 429 or throttle code, `Retry-After` or the venue's reset
/// header, and usage headers.
public struct RateLimitSignal: Sendable, Hashable {
    /// The venue refused the request for rate: the caller must empty its bucket.
    public var throttled: Bool
    /// How long to wait before the next request, when the venue said.
    public var retryAfterMilliseconds: Int64?
    /// Requests (or weight) left in the venue's window, when reported.
    public var remaining: Int?
    /// Weight used in the venue's window (Binance `X-MBX-USED-WEIGHT-1M`).
    public var usedWeight: Int?
    /// The venue banned this IP until then (wall-clock ms): Binance's 418 "IP banned until …".
    public var bannedUntilMilliseconds: Int64?

    public init(throttled: Bool, retryAfterMilliseconds: Int64? = nil, remaining: Int? = nil, usedWeight: Int? = nil, bannedUntilMilliseconds: Int64? = nil) {
        self.throttled = throttled
        self.retryAfterMilliseconds = retryAfterMilliseconds
        self.remaining = remaining
        self.usedWeight = usedWeight
        self.bannedUntilMilliseconds = bannedUntilMilliseconds
    }
}

public struct ArmedCheckResult: Sendable, Hashable {
    public var ok: Bool
    /// What went wrong, classified (`rejected` for bad keys, `retryable`/`unknown` for transport).
    public var failure: CancelOutcomeKind?
    public var detail: String

    public init(ok: Bool, failure: CancelOutcomeKind?, detail: String) {
        self.ok = ok
        self.failure = failure
        self.detail = detail
    }
}
