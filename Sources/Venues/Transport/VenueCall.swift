import KillSwitchCore
/// Every call an adapter makes, as data: the pure request builders turn one into a `SignedRequest`.
public enum VenueCall: Sendable, Hashable {
    case batchCancel(CancelBatch)
    /// Cancel every open order of one symbol (Gate futures: contract within the configured settle).
    case cancelAll(symbol: String)
    /// Cancel every open order of the entry's venue account in its market (the scope-aware kill's cancel-all):
    /// Gate futures the settle, Gate spot the configured `account` (every pair), HTX the spot `account-id`
    /// (every symbol, rounds of 100), Bitget the product type. Binance has none.
    case cancelAllOfEntry
    /// One page of open orders (all symbols when nil); `cursor` is the venue's paging token from the
    /// previous page (`nil` for the first); `leg` the order states it reads (`ListingLeg`).
    case openOrders(symbol: String?, cursor: String?, leg: ListingLeg = .all)
    /// The venue's dead-man switch: cancel everything in scope unless refreshed within `timeoutSeconds`
    /// (0 disarms). `symbol` narrows it where the venue allows.
    case countdownCancelAll(symbol: String?, timeoutSeconds: Int)
    /// The public server-time endpoint (unsigned).
    case serverTime
}

extension VenueCall {
    /// A cancel-all of either reach (HTX answers both in rounds).
    var isCancelAll: Bool {
        switch self {
        case .cancelAll, .cancelAllOfEntry: true
        default: false
        }
    }
}

/// Tunables of request building. Defaults follow docs/venues.md.
public struct VenueRequestOptions: Sendable, Hashable {
    /// Binance `recvWindow` in ms (default 5000, the venue caps it at 60000).
    public var binanceRecvWindowMilliseconds: Int64
    /// Page size for open-order listings.
    public var listingPageSize: Int

    public init(binanceRecvWindowMilliseconds: Int64 = 5000, listingPageSize: Int = 100) {
        self.binanceRecvWindowMilliseconds = binanceRecvWindowMilliseconds
        self.listingPageSize = listingPageSize
    }
}
