import Foundation

/// One request of an incident (`killswitch audit requests`): what was sent, when, and what came back.
public struct AuditRequest: Sendable, Hashable, Codable {
    /// The cancel intent's id (committed before the request left).
    public var intentId: Int64
    public var venueId: String
    public var account: String
    public var symbol: String?
    /// `batch-cancel`, `cancel-all` or `list-open`.
    public var kind: String
    public var attempt: Int
    /// Orders named in the request (0 for cancel-all and listings).
    public var orderCount: Int
    public var sentAt: Int64
    /// Nil while (or if never) answered.
    public var answeredAt: Int64?
    public var httpStatus: Int?
    public var venueCode: String?
    public var latencyMicroseconds: Int64?
    public var transportError: String?
    /// Outcome rows linked to this request, by kind (for listings: the orders verification decided).
    public var outcomes: [String: Int]

    /// A request the rate limiter refused before it left: recorded, never on the wire.
    public var wasSent: Bool { !(transportError?.hasPrefix("not sent") ?? false) }
}

enum AuditRequestQueries {
    static func requests(_ db: SQLiteConnection, incidentId: Int64) throws -> [AuditRequest] {
        var outcomes: [Int64: [String: Int]] = [:]
        let counts = try db.prepare("""
            SELECT intent_id, outcome, count(*) FROM cancel_outcomes WHERE incident_id = ? AND intent_id IS NOT NULL GROUP BY intent_id, outcome
            """).bind(1, incidentId)
        while try counts.step() { outcomes[counts.int(0), default: [:]][counts.text(1) ?? "", default: 0] += Int(counts.int(2)) }
        let statement = try db.prepare("""
            SELECT i.id, i.venue_id, i.account, i.symbol, i.kind, i.attempt, json_array_length(i.order_ids), i.sent_at,
                   r.answered_at, r.http_status, r.venue_code, r.latency_us, r.transport_error
            FROM cancel_intents i LEFT JOIN cancel_responses r ON r.intent_id = i.id
            WHERE i.incident_id = ? ORDER BY i.id
            """).bind(1, incidentId)
        var out: [AuditRequest] = []
        while try statement.step() {
            let id = statement.int(0)
            out.append(AuditRequest(
                intentId: id, venueId: statement.text(1) ?? "", account: statement.text(2) ?? "", symbol: statement.text(3),
                kind: statement.text(4) ?? "", attempt: Int(statement.int(5)), orderCount: Int(statement.int(6)), sentAt: statement.int(7),
                answeredAt: statement.optionalInt(8), httpStatus: statement.optionalInt(9).map { Int($0) }, venueCode: statement.text(10),
                latencyMicroseconds: statement.optionalInt(11), transportError: statement.text(12), outcomes: outcomes[id] ?? [:]
            ))
        }
        return out
    }
}
