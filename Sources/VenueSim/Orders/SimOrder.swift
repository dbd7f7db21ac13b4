import Foundation

/// The simulator's own record of an order.
struct SimOrder: Sendable {
    enum State: Sendable {
        case open
        case filled(atMs: Int64)
        /// `visibleUntilMs`: HTX keeps a "submitted" cancel in the open list until then.
        case cancelled(atMs: Int64, visibleUntilMs: Int64, requestId: Int?, by: String)
    }

    /// What the order looks like at a given instant (time effects are evaluated lazily against the clock).
    enum Status: Sendable, Equatable {
        case open
        /// Cancel accepted, still listed as open (HTX).
        case cancelling
        case cancelled
        case filled
    }

    /// What never changes about an order, shared by every copy of it: a lookup, a cancel and a verdict copy
    /// one reference instead of a dozen strings (the batch-cancel hot path copies orders several times).
    final class Record: Sendable {
        let sequence: Int
        let exchange: String
        let market: String
        let settle: String?
        let productType: String?
        let symbol: String
        let id: String
        let clientOrderId: String?
        let side: String
        let price: String
        let quantity: String
        let apiKey: String
        /// The venue account (uid) the order belongs to: every key of it sees the order.
        let owner: String
        /// Gate spot account type: `spot`, `margin`, `cross_margin` or `unified` (nil elsewhere).
        let account: String?
        /// How the order was placed when it has no client id (`web` for a manual order); nil = over the API.
        let origin: String?
        let createdAtMs: Int64
        let isSell: Bool
        let quantityValue: Decimal

        init(
            sequence: Int, exchange: String, market: String, settle: String?, productType: String?, symbol: String,
            id: String, clientOrderId: String?, side: String, price: String, quantity: String, apiKey: String,
            owner: String, account: String?, origin: String?, createdAtMs: Int64
        ) {
            self.sequence = sequence
            self.exchange = exchange
            self.market = market
            self.settle = settle
            self.productType = productType
            self.symbol = symbol
            self.id = id
            self.clientOrderId = clientOrderId
            self.side = side
            self.price = price
            self.quantity = quantity
            self.apiKey = apiKey
            self.owner = owner
            self.account = account
            self.origin = origin
            self.createdAtMs = createdAtMs
            self.isSell = side.lowercased() == "sell"
            self.quantityValue = Decimal(string: quantity) ?? 0
        }
    }

    let record: Record
    var state: State
    /// The filled part; above 0 while open, the order is partially filled.
    var filled: Decimal = 0

    init(
        sequence: Int, exchange: String, market: String, settle: String?, productType: String?, symbol: String,
        id: String, clientOrderId: String?, side: String, price: String, quantity: String, apiKey: String,
        owner: String, account: String? = nil, origin: String? = nil, createdAtMs: Int64, state: State, filled: Decimal = 0
    ) {
        self.record = Record(
            sequence: sequence, exchange: exchange, market: market, settle: settle, productType: productType,
            symbol: symbol, id: id, clientOrderId: clientOrderId, side: side, price: price, quantity: quantity,
            apiKey: apiKey, owner: owner, account: account, origin: origin, createdAtMs: createdAtMs
        )
        self.state = state
        self.filled = filled
    }

    var sequence: Int { record.sequence }
    var exchange: String { record.exchange }
    var market: String { record.market }
    var settle: String? { record.settle }
    var productType: String? { record.productType }
    var symbol: String { record.symbol }
    var id: String { record.id }
    var clientOrderId: String? { record.clientOrderId }
    var side: String { record.side }
    var price: String { record.price }
    var quantity: String { record.quantity }
    var apiKey: String { record.apiKey }
    var owner: String { record.owner }
    var account: String? { record.account }
    var origin: String? { record.origin }
    var createdAtMs: Int64 { record.createdAtMs }

    /// Open with part of it filled.
    var isPartiallyFilled: Bool { filled > 0 && filled < record.quantityValue }

    /// The filled part as decimal text ("0" when nothing filled; the whole quantity once filled).
    var filledText: String {
        if case .filled = state { return quantity }
        return filled > 0 ? SimDecimal.text(filled) : "0"
    }

    /// What is left to fill, as decimal text.
    var remainingText: String {
        if case .filled = state { return "0" }
        return filled > 0 ? SimDecimal.text(record.quantityValue - filled) : quantity
    }

    /// Fills half of what is left (at least a little), keeping the order open; returns the quantity filled.
    @discardableResult
    mutating func fillPart() -> Decimal {
        let remaining = record.quantityValue - filled
        guard remaining > 0 else { return 0 }
        var part = remaining / 2
        var rounded = Decimal()
        NSDecimalRound(&rounded, &part, 8, .down)
        if rounded <= 0 || rounded >= remaining { rounded = remaining / 2 }
        filled += rounded
        return rounded
    }

    /// Fills `quantity` more (capped below the whole order: a complete fill is `state = .filled`).
    mutating func fill(_ quantity: Decimal) {
        filled = min(record.quantityValue, filled + quantity)
    }

    func status(at now: Int64) -> Status {
        switch state {
        case .open: return .open
        case .filled: return .filled
        case .cancelled(_, let visibleUntil, _, _): return now < visibleUntil ? .cancelling : .cancelled
        }
    }

    /// Listed by the venue as open (includes HTX's pending cancels).
    func isListedOpen(at now: Int64) -> Bool {
        let status = status(at: now)
        return status == .open || status == .cancelling
    }

    var isSell: Bool { record.isSell }

    func view(at now: Int64) -> SimOrderView {
        var view = SimOrderView(
            exchange: exchange, market: market, settle: settle, productType: productType, symbol: symbol,
            id: id, clientOrderId: clientOrderId, side: side, price: price, quantity: quantity, apiKey: apiKey,
            status: "open", cancelPending: false, createdAtMs: createdAtMs
        )
        view.account = account
        view.origin = origin
        view.filledQuantity = filledText
        switch state {
        case .open:
            break
        case .filled(let at):
            view.status = "filled"
            view.filledAtMs = at
        case .cancelled(let at, let visibleUntil, let requestId, let by):
            view.status = now < visibleUntil ? "open" : "cancelled"
            view.cancelPending = now < visibleUntil
            view.cancelledAtMs = at
            view.cancelledByRequestId = requestId
            view.cancelledBy = by
        }
        return view
    }
}

/// Decimal text without exponent or trailing zeros.
enum SimDecimal {
    static func text(_ value: Decimal) -> String {
        NSDecimalNumber(decimal: value).stringValue
    }
}
