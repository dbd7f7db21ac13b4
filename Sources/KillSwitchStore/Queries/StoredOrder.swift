import KillSwitchCore

/// A tracked order's current state.
public struct StoredOrder: Sendable, Hashable, Codable {
    public var id: Int64
    public var venueId: String
    public var account: String
    public var symbol: String
    public var venueOrderId: String?
    /// The client's own id; never an origin label (`ClientOrderIdReading`).
    public var clientOrderId: String?
    /// How the order was placed, as the venue labels it (`web`, `api`, …), when known.
    public var origin: String?
    public var side: String?
    public var price: String?
    public var quantity: String?
    public var filledQuantity: String
    public var status: OrderStatus
    public var contractMultiplier: String?
    public var createdAt: Int64
    public var updatedAt: Int64

    /// The quantity still resting (quantity − filled), when the quantity is known.
    public var remainingQuantity: DecimalAmount? {
        guard let quantity = quantity.flatMap(DecimalAmount.init), let filled = DecimalAmount(filledQuantity) else { return nil }
        return DecimalAmount(quantity.decimal - filled.decimal)
    }

    public var cancelTarget: CancelTarget {
        CancelTarget(orderId: id, symbol: symbol, venueOrderId: venueOrderId, clientOrderId: clientOrderId)
    }

    /// An order a venue listed whose row could not be written (`ListingAdoption.unrecorded`): held in memory
    /// only, under its synthetic (negative) id, so it can still be cancelled by its venue id.
    public static func unrecorded(_ target: CancelTarget, venueId: String, account: String, origin: String?, now: Int64) -> StoredOrder {
        StoredOrder(id: target.orderId, venueId: venueId, account: account, symbol: target.symbol, venueOrderId: target.venueOrderId,
                    clientOrderId: target.clientOrderId, origin: origin, side: nil, price: nil, quantity: nil, filledQuantity: "0",
                    status: .acknowledged, contractMultiplier: nil, createdAt: now, updatedAt: now)
    }
}

/// Which orders to list.
public struct OrderFilter: Sendable, Hashable {
    public var scope: Scope
    public var openOnly: Bool
    public var limit: Int?

    public init(scope: Scope = .everything, openOnly: Bool = true, limit: Int? = nil) {
        self.scope = scope
        self.openOnly = openOnly
        self.limit = limit
    }
}

enum OrderQueries {
    static let columns = columns(origin: true)

    /// The columns `read` expects. A database a daemon has not yet migrated to version 3 (read by `StoreReader`)
    /// has no `origin`: it reads as absent.
    static func columns(origin: Bool) -> String {
        """
        id, venue_id, account, symbol, venue_order_id, client_order_id, side, price, quantity, filled_quantity, status,
        contract_multiplier, created_at, updated_at, \(origin ? "origin" : "NULL")
        """
    }

    static func hasOrigin(_ db: SQLiteConnection) -> Bool {
        ((try? db.scalarInt("SELECT count(*) FROM pragma_table_info('orders') WHERE name = 'origin'")) ?? 0) > 0
    }

    /// - Parameter migrated: the database is the store's own, migrated to the current schema (it has `origin`,
    ///   and its statements are worth keeping prepared: the trip reads the scope's open orders with this).
    static func orders(_ db: SQLiteConnection, _ filter: OrderFilter, migrated: Bool = false) throws -> [StoredOrder] {
        var clauses = ["merged_into IS NULL"]
        var values: [SQLiteValue] = []
        if filter.openOnly { clauses.append("status IN ('new', 'acknowledged', 'partiallyFilled')") }
        if let venue = filter.scope.venue { clauses.append("venue_id = ?"); values.append(.text(venue)) }
        if let account = filter.scope.account { clauses.append("account = ?"); values.append(.text(account)) }
        // Symbols compare without regard to case, as `Scope.contains` does (each venue writes one case).
        if let symbol = filter.scope.symbol { clauses.append("symbol = ? COLLATE NOCASE"); values.append(.text(symbol)) }
        var sql = "SELECT \(columns(origin: migrated || hasOrigin(db))) FROM orders WHERE \(clauses.joined(separator: " AND ")) ORDER BY venue_id, account, symbol, id"
        if let limit = filter.limit { sql += " LIMIT \(limit)" }
        // A handful of shapes without a limit: kept prepared; a limit makes each text new.
        let statement = try (migrated && filter.limit == nil ? db.cached(sql) : db.prepare(sql)).bind(values)
        defer { statement.reset() }
        var out: [StoredOrder] = []
        while try statement.step() { out.append(read(statement)) }
        return out
    }

    static func read(_ s: SQLiteStatement) -> StoredOrder {
        StoredOrder(
            id: s.int(0), venueId: s.text(1) ?? "", account: s.text(2) ?? "", symbol: s.text(3) ?? "",
            venueOrderId: s.text(4), clientOrderId: s.text(5), origin: s.text(14), side: s.text(6), price: s.text(7), quantity: s.text(8),
            filledQuantity: s.text(9) ?? "0", status: OrderStatus(rawValue: s.text(10) ?? "") ?? .new,
            contractMultiplier: s.text(11), createdAt: s.int(12), updatedAt: s.int(13)
        )
    }
}

extension Store {
    public func orders(_ filter: OrderFilter) throws -> [StoredOrder] {
        try OrderQueries.orders(db, filter, migrated: true)
    }

    /// Several orders by id in one query (those that exist, in id order).
    public func orders(ids: [Int64]) throws -> [StoredOrder] {
        guard !ids.isEmpty else { return [] }
        let list = ids.map(String.init).joined(separator: ",")
        let statement = try db.prepare("SELECT \(OrderQueries.columns) FROM orders WHERE id IN (\(list)) ORDER BY id")
        var out: [StoredOrder] = []
        while try statement.step() { out.append(OrderQueries.read(statement)) }
        return out
    }

    /// Every symbol ever tracked or listed, per venue id.
    public func knownSymbols() throws -> [String: Set<String>] {
        let statement = try db.prepare("SELECT DISTINCT venue_id, symbol FROM orders")
        var out: [String: Set<String>] = [:]
        while try statement.step() { out[statement.text(0) ?? "", default: []].insert(statement.text(1) ?? "") }
        return out
    }

    public func order(id: Int64) throws -> StoredOrder? {
        let statement = try db.cached("SELECT \(OrderQueries.columns) FROM orders WHERE id = ?").bind(1, id)
        return try statement.step() ? OrderQueries.read(statement) : nil
    }
}
