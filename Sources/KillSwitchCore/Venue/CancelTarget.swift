/// One order to cancel, as the planner hands it to a venue adapter.
public struct CancelTarget: Sendable, Hashable, Codable {
    /// The store's row id for the order (0 for an order the tracker never knew, found by a final listing).
    public var orderId: Int64
    public var symbol: String
    public var venueOrderId: String?
    public var clientOrderId: String?

    public init(orderId: Int64, symbol: String, venueOrderId: String?, clientOrderId: String?) {
        self.orderId = orderId
        self.symbol = symbol
        self.venueOrderId = venueOrderId
        self.clientOrderId = clientOrderId
    }

    /// The id the request carries: the venue's order id when known, else the client order id.
    public var wireId: String { venueOrderId ?? clientOrderId ?? "" }

    /// The target as `kind` can cancel it: a venue id it cannot take is dropped (the client id, if any, is
    /// used instead).
    public func usable(by kind: VenueKind) -> CancelTarget {
        guard let venueOrderId, !kind.acceptsVenueOrderId(venueOrderId) else { return self }
        return CancelTarget(orderId: orderId, symbol: symbol, venueOrderId: nil, clientOrderId: clientOrderId)
    }

    /// Whether a cancel request can name it at all.
    public func isAddressable(by kind: VenueKind) -> Bool {
        !usable(by: kind).wireId.isEmpty
    }
    public var usesClientId: Bool { venueOrderId == nil }
}

/// One batch-cancel request's worth of orders: one venue account, within the kind's grouping rule and limit.
public struct CancelBatch: Sendable, Hashable, Codable {
    public var venueId: String
    /// Set when the venue kind takes one symbol per request (Bitget, Binance).
    public var symbol: String?
    public var targets: [CancelTarget]
    /// Whether the ids are client order ids (a batch never mixes the two where the venue forbids it).
    public var byClientId: Bool

    public init(venueId: String, symbol: String?, targets: [CancelTarget], byClientId: Bool) {
        self.venueId = venueId
        self.symbol = symbol
        self.targets = targets
        self.byClientId = byClientId
    }
}
