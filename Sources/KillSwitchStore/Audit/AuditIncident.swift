import KillSwitchCore

/// One line of `killswitch audit incidents`: an incident, how it ended and how much it did.
public struct AuditIncident: Sendable, Hashable, Codable {
    public var id: Int64
    /// `running`, `flat` or `incomplete`.
    public var state: String
    public var scope: String
    public var ruleId: String?
    public var actor: String?
    public var reason: String
    public var trippedAt: Int64
    public var endedAt: Int64?
    /// Trip → end, when it has ended.
    public var durationMilliseconds: Int64?
    /// Orders with at least one cancel outcome in the incident.
    public var orders: Int
    /// Requests sent (cancels, cancel-alls, listings).
    public var requests: Int
    public var rearmedAt: Int64?
    public var rearmedBy: String?
}

enum AuditIncidentQueries {
    static func incidents(_ db: SQLiteConnection) throws -> [AuditIncident] {
        let statement = try db.prepare("""
            SELECT i.id, i.state, i.scope_venue, i.scope_account, i.scope_symbol, i.rule_id, i.actor, i.reason, i.tripped_at, i.ended_at,
                   i.rearmed_at, i.rearmed_by,
                   (SELECT count(DISTINCT order_id) FROM cancel_outcomes WHERE incident_id = i.id),
                   (SELECT count(*) FROM cancel_intents WHERE incident_id = i.id)
            FROM incidents i ORDER BY i.id
            """)
        var out: [AuditIncident] = []
        while try statement.step() {
            let trippedAt = statement.int(8)
            let endedAt = statement.optionalInt(9)
            let scope = Scope(venue: statement.text(2), account: statement.text(3), symbol: statement.text(4))
            out.append(AuditIncident(
                id: statement.int(0), state: statement.text(1) ?? "", scope: scope.description, ruleId: statement.text(5), actor: statement.text(6),
                reason: statement.text(7) ?? "", trippedAt: trippedAt, endedAt: endedAt, durationMilliseconds: endedAt.map { $0 - trippedAt },
                orders: Int(statement.int(12)), requests: Int(statement.int(13)), rearmedAt: statement.optionalInt(10), rearmedBy: statement.text(11)
            ))
        }
        return out
    }

    /// Throws `unknownIncident` (with the ids the database does have) unless `id` exists.
    static func requireIncident(_ db: SQLiteConnection, _ id: Int64) throws {
        let exists = try db.prepare("SELECT 1 FROM incidents WHERE id = ?").bind(1, id)
        if try exists.step() { return }
        let range = try db.prepare("SELECT min(id), max(id) FROM incidents")
        _ = try range.step()
        let known = range.optionalInt(0).flatMap { low in range.optionalInt(1).map { low...$0 } }
        throw AuditError.unknownIncident(id, known: known)
    }
}
