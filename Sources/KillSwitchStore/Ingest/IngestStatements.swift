import KillSwitchCore

/// The statements one ingest batch runs, prepared once per connection (`SQLiteConnection.cached`) and fetched
/// once per batch: per event the batch only re-binds and steps them, instead of looking each one up by its
/// SQL text (hashing a few hundred bytes) for every event.
struct IngestStatements {
    let duplicate: SQLiteStatement
    let orderByVenueOrderId: SQLiteStatement
    let orderByClientOrderId: SQLiteStatement
    let maxOrderId: SQLiteStatement
    let insertOrder: SQLiteStatement
    let updateOrder: SQLiteStatement
    let mergeAway: SQLiteStatement
    let insertEvent: SQLiteStatement

    static let orderColumns = "id, venue_id, account, symbol, venue_order_id, client_order_id, origin, status, filled_quantity, side, price, quantity"

    init(_ db: SQLiteConnection) throws {
        duplicate = try db.cached("SELECT order_id FROM order_events WHERE event_id = ?")
        orderByVenueOrderId = try db.cached("SELECT \(Self.orderColumns) FROM orders WHERE venue_id = ? AND account = ? AND venue_order_id = ?")
        orderByClientOrderId = try db.cached("SELECT \(Self.orderColumns) FROM orders WHERE venue_id = ? AND account = ? AND client_order_id = ?")
        maxOrderId = try db.cached("SELECT max(id) FROM orders")
        insertOrder = try db.cached("""
            INSERT INTO orders (id, venue_id, account, symbol, venue_order_id, client_order_id, origin, side, price, quantity,
                filled_quantity, status, settle, product_type, margin_coin, contract_multiplier, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        updateOrder = try db.cached("""
            UPDATE orders SET venue_order_id = ?, client_order_id = ?, origin = ?, side = ?, price = ?, quantity = ?,
                filled_quantity = ?, status = ?, updated_at = ? WHERE id = ?
            """)
        mergeAway = try db.cached("UPDATE orders SET client_order_id = NULL, merged_into = ?, updated_at = ? WHERE id = ?")
        insertEvent = try db.cached("""
            INSERT INTO order_events (event_id, order_id, source, venue_id, account, symbol, venue_order_id, client_order_id, origin,
                status, side, price, quantity, filled_quantity, event_time, received_at, caller, caller_uid)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    /// The order row a lookup statement is on.
    static func orderRow(_ s: SQLiteStatement) -> OrderRow {
        OrderRow(
            id: s.int(0), venueId: s.text(1) ?? "", account: s.text(2) ?? "", symbol: s.text(3) ?? "", venueOrderId: s.text(4),
            clientOrderId: s.text(5), origin: s.text(6), status: OrderStatus(rawValue: s.text(7) ?? "") ?? .new,
            filled: DecimalAmount(s.text(8) ?? "0") ?? .zero, side: s.text(9), price: s.text(10), quantity: s.text(11)
        )
    }
}
