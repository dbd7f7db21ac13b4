import KillSwitchCore

/// One order of an incident with its latest outcome in that incident (`killswitch audit orders`).
public struct AuditOrder: Sendable, Hashable, Codable {
    public var orderId: Int64
    public var venueId: String
    public var account: String
    public var symbol: String
    public var venueOrderId: String?
    public var clientOrderId: String?
    /// How the order was placed, as the venue labels it (`web`, `api`, …), when known.
    public var origin: String?
    public var side: String?
    public var price: String?
    public var quantity: String?
    /// The order's status now (as tracked).
    public var status: String
    /// The last outcome recorded for it in this incident; nil when a request named it but no answer came.
    public var outcome: CancelOutcomeKind?
    /// The highest cancel attempt made for it in this incident.
    public var attempts: Int
    public var venueCode: String?
    public var message: String?
    /// When the latest outcome was recorded, and the request (intent) it came from.
    public var decidedAt: Int64?
    public var intentId: Int64?
}

enum AuditOrderQueries {
    /// Every order the incident touched: named in one of its requests or given an outcome (verification
    /// and final listings decide outcomes without a cancel request naming the order).
    static func orders(_ db: SQLiteConnection, incidentId: Int64, outcome: CancelOutcomeKind?) throws -> [AuditOrder] {
        let origin = OrderQueries.hasOrigin(db) ? "o.origin" : "NULL"
        var sql = """
            WITH touched(order_id) AS (
                SELECT order_id FROM cancel_outcomes WHERE incident_id = :incident
                UNION SELECT CAST(j.value AS INTEGER) FROM cancel_intents i, json_each(i.order_ids) j WHERE i.incident_id = :incident
            ),
            latest AS (
                SELECT order_id, max(id) AS id, max(attempt) AS attempts FROM cancel_outcomes WHERE incident_id = :incident GROUP BY order_id
            ),
            named AS (
                SELECT CAST(j.value AS INTEGER) AS order_id, max(i.attempt) AS attempts
                FROM cancel_intents i, json_each(i.order_ids) j WHERE i.incident_id = :incident GROUP BY 1
            )
            SELECT o.id, o.venue_id, o.account, o.symbol, o.venue_order_id, o.client_order_id, o.side, o.price, o.quantity, o.status,
                   c.outcome, max(coalesce(l.attempts, 0), coalesce(n.attempts, 0)), c.venue_code, c.message, c.recorded_at, c.intent_id,
                   \(origin)
            FROM touched t JOIN orders o ON o.id = t.order_id
            LEFT JOIN latest l ON l.order_id = t.order_id
            LEFT JOIN cancel_outcomes c ON c.id = l.id
            LEFT JOIN named n ON n.order_id = t.order_id
            """
        if outcome != nil { sql += "\nWHERE c.outcome = :outcome" }
        sql += "\nORDER BY o.venue_id, o.account, o.symbol, o.id"
        let statement = try db.prepare(sql).bind(1, incidentId)
        if let outcome { statement.bind(2, outcome.rawValue) }
        var out: [AuditOrder] = []
        while try statement.step() {
            out.append(AuditOrder(
                orderId: statement.int(0), venueId: statement.text(1) ?? "", account: statement.text(2) ?? "", symbol: statement.text(3) ?? "",
                venueOrderId: statement.text(4), clientOrderId: statement.text(5), origin: statement.text(16), side: statement.text(6), price: statement.text(7),
                quantity: statement.text(8), status: statement.text(9) ?? "", outcome: statement.text(10).flatMap(CancelOutcomeKind.init(rawValue:)),
                attempts: Int(statement.int(11)), venueCode: statement.text(12), message: statement.text(13), decidedAt: statement.optionalInt(14),
                intentId: statement.optionalInt(15)
            ))
        }
        return out
    }
}
