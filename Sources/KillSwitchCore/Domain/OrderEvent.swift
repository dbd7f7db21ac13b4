/// A validated order event from a trading system (the JSON schema is in the README).
public struct OrderEvent: Sendable, Hashable {
    public var eventId: String
    public var venueId: String
    public var account: String
    public var symbol: String
    public var venueOrderId: String?
    /// The client's own id only; an origin label sent here is moved to `origin` by validation.
    public var clientOrderId: String?
    /// How the order was placed, as the venue labels it (`web`, `api`, …), when known.
    public var origin: String?
    public var status: OrderStatus
    public var side: OrderSide?
    public var price: DecimalAmount?
    public var quantity: DecimalAmount?
    public var filledQuantity: DecimalAmount?
    /// The sender's time (ms); recorded for the audit, never trusted for deadlines.
    public var time: Int64?
    /// What validation accepted but changed (a field moved, never dropped), answered with the event's result.
    public var warnings: [EventWarning]

    public init(eventId: String, venueId: String, account: String, symbol: String, venueOrderId: String?, clientOrderId: String?, origin: String? = nil, status: OrderStatus, side: OrderSide? = nil, price: DecimalAmount? = nil, quantity: DecimalAmount? = nil, filledQuantity: DecimalAmount? = nil, time: Int64? = nil, warnings: [EventWarning] = []) {
        self.eventId = eventId
        self.venueId = venueId
        self.account = account
        self.symbol = symbol
        self.venueOrderId = venueOrderId
        self.clientOrderId = clientOrderId
        self.origin = origin
        self.status = status
        self.side = side
        self.price = price
        self.quantity = quantity
        self.filledQuantity = filledQuantity
        self.time = time
        self.warnings = warnings
    }
}

/// Why one event of a batch was refused: its index in the batch, the field, and the reason.
public struct EventError: Error, Sendable, Hashable, CustomStringConvertible {
    public var index: Int
    public var field: String
    public var reason: String

    public init(index: Int, field: String, reason: String) {
        self.index = index
        self.field = field
        self.reason = reason
    }

    public var description: String { "events[\(index)].\(field): \(reason)" }
}

/// Something an accepted event said that was stored differently than sent: its index, the field, and what
/// was done (`events[0].clientOrderId: "web" is not a gate-futures client order id …; kept as the origin`).
public struct EventWarning: Sendable, Hashable, CustomStringConvertible {
    public var index: Int
    public var field: String
    public var reason: String

    public init(index: Int, field: String, reason: String) {
        self.index = index
        self.field = field
        self.reason = reason
    }

    public var description: String { "events[\(index)].\(field): \(reason)" }
}
