import KillSwitchCore

/// What adopting a venue's open-order listing gave: one cancel target per listed order, always — a listed
/// order is cancelled whether or not its row could be written — plus what the caller should log.
public struct ListingAdoption: Sendable, Hashable {
    /// A listed order whose row could not be written (nor found): it is cancelled by its venue id under a
    /// synthetic order id (`syntheticOrderId`), for which no outcome row is written.
    public struct Unrecorded: Sendable, Hashable {
        public var target: CancelTarget
        public var origin: String?
        public var reason: String
    }

    /// A client id the venue now gives another order than the stored row that held it (Gate lets a client id
    /// be reused after 30 minutes): the venue id decides, so the id moved to the listed order's row.
    public struct ClientIdMove: Sendable, Hashable {
        public var clientOrderId: String
        public var fromOrderId: Int64
        public var fromVenueOrderId: String
        public var toOrderId: Int64
        public var toVenueOrderId: String
    }

    /// One per listed order, in the listing's order.
    public var targets: [CancelTarget]
    public var unrecorded: [Unrecorded]
    public var clientIdsMoved: [ClientIdMove]

    public init(targets: [CancelTarget], unrecorded: [Unrecorded] = [], clientIdsMoved: [ClientIdMove] = []) {
        self.targets = targets
        self.unrecorded = unrecorded
        self.clientIdsMoved = clientIdsMoved
    }

    /// The order id an unrecorded listed order is tracked under: negative, so it can never be a row's id (rows
    /// start at 1, and outcomes are written only for ids above 0), and the same for the same venue order on
    /// every listing, so the incident's state machine knows it again (FNV-1a 64 of venue id and order id).
    public static func syntheticOrderId(venueId: String, venueOrderId: String) -> Int64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in Array(venueId.utf8) + [0] + Array(venueOrderId.utf8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return -Int64(bitPattern: (hash >> 1) | 1)
    }

    /// A target that has no row: the listed ids under the synthetic order id.
    static func unrecorded(_ order: VenueOpenOrder, venueId: String, reason: String) -> Unrecorded {
        Unrecorded(target: CancelTarget(orderId: syntheticOrderId(venueId: venueId, venueOrderId: order.venueOrderId), symbol: order.symbol,
                                        venueOrderId: order.venueOrderId, clientOrderId: order.clientOrderId),
                   origin: order.origin, reason: reason)
    }
}
