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
        let createdAtMs: Int64
        let isSell: Bool

        init(
            sequence: Int, exchange: String, market: String, settle: String?, productType: String?, symbol: String,
            id: String, clientOrderId: String?, side: String, price: String, quantity: String, apiKey: String,
            createdAtMs: Int64
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
            self.createdAtMs = createdAtMs
            self.isSell = side.lowercased() == "sell"
        }
    }

    let record: Record
    var state: State

    init(
        sequence: Int, exchange: String, market: String, settle: String?, productType: String?, symbol: String,
        id: String, clientOrderId: String?, side: String, price: String, quantity: String, apiKey: String,
        createdAtMs: Int64, state: State
    ) {
        self.record = Record(
            sequence: sequence, exchange: exchange, market: market, settle: settle, productType: productType,
            symbol: symbol, id: id, clientOrderId: clientOrderId, side: side, price: price, quantity: quantity,
            apiKey: apiKey, createdAtMs: createdAtMs
        )
        self.state = state
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
    var createdAtMs: Int64 { record.createdAtMs }

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
