import Foundation

/// Every order the simulator knows, per exchange, with a client-id index. Ids are unique per exchange.
struct OrderBook: Sendable {
    private var orders: [String: [String: SimOrder]] = [:]
    private var clientIds: [String: [String: String]] = [:]
    private var nextSequence = 0

    var count: Int { orders.values.reduce(0) { $0 + $1.count } }

    func contains(exchange: String, id: String) -> Bool {
        orders[exchange]?[id] != nil
    }

    mutating func insert(_ seed: SimOrderSeed, owner: String, now: Int64) {
        nextSequence += 1
        let order = SimOrder(
            sequence: nextSequence,
            exchange: seed.exchange,
            market: seed.market,
            settle: seed.settle?.lowercased() ?? (seed.exchange == "gate" && seed.market == "futures" ? "usdt" : nil),
            productType: seed.productType?.uppercased() ?? (seed.exchange == "bitget" ? "USDT-FUTURES" : nil),
            symbol: seed.symbol,
            id: seed.id,
            clientOrderId: seed.clientOrderId,
            side: seed.side.lowercased(),
            price: seed.price,
            quantity: seed.quantity,
            apiKey: seed.apiKey,
            owner: owner,
            account: seed.exchange == "gate" && seed.market == "spot" ? (seed.account?.lowercased() ?? "spot") : nil,
            origin: seed.clientOrderId == nil ? seed.origin : nil,
            createdAtMs: now,
            state: .open,
            filled: seed.filledQuantity.flatMap { Decimal(string: $0) } ?? 0
        )
        orders[seed.exchange, default: [:]][seed.id] = order
        if let clientOrderId = seed.clientOrderId {
            clientIds[seed.exchange, default: [:]][clientOrderId] = seed.id
        }
    }

    func order(exchange: String, id: String) -> SimOrder? {
        orders[exchange]?[id]
    }

    func order(exchange: String, clientOrderId: String) -> SimOrder? {
        guard let id = clientIds[exchange]?[clientOrderId] else { return nil }
        return orders[exchange]?[id]
    }

    mutating func update(_ order: SimOrder) {
        orders[order.exchange]?[order.id] = order
    }

    /// Orders of one exchange (or all) matching `filter`, oldest first.
    func select(exchange: String?, where filter: (SimOrder) -> Bool) -> [SimOrder] {
        var selected: [SimOrder] = []
        if let exchange {
            for order in (orders[exchange] ?? [:]).values where filter(order) { selected.append(order) }
        } else {
            for byId in orders.values { for order in byId.values where filter(order) { selected.append(order) } }
        }
        selected.sort { $0.sequence < $1.sequence }
        return selected
    }

    mutating func removeAll() {
        orders = [:]
        clientIds = [:]
    }
}
