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
    var state: State

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

    var isSell: Bool { side.lowercased() == "sell" }

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
