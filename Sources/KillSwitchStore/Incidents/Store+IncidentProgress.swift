import KillSwitchCore

extension Store {
    /// Per venue: the orders an incident has dealt with (by latest outcome) and the open orders in its scope
    /// it has not tried yet. Read on the writer connection, so it sees every committed outcome.
    public func incidentOrderProgress(incidentId: Int64, scope: Scope, includeUntried: Bool) throws -> [IncidentOrderProgress] {
        var byVenue: [String: IncidentOrderProgress] = [:]
        let outcomes = try db.cached("""
            SELECT o.venue_id, c.outcome, count(*) FROM cancel_outcomes c JOIN orders o ON o.id = c.order_id
            WHERE c.id IN (SELECT max(id) FROM cancel_outcomes WHERE incident_id = ? GROUP BY order_id)
            GROUP BY o.venue_id, c.outcome
            """).bind(1, incidentId)
        while try outcomes.step() {
            let venue = outcomes.text(0) ?? "", kind = outcomes.text(1) ?? "", count = Int(outcomes.int(2))
            var progress = byVenue[venue] ?? IncidentOrderProgress(venue: venue)
            progress.outcomes[kind, default: 0] += count
            progress.total += count
            if !(CancelOutcomeKind(rawValue: kind)?.isTerminal ?? false) { progress.outstanding += count }
            byVenue[venue] = progress
        }
        if includeUntried {
            var clauses = ["merged_into IS NULL", "status IN ('new', 'acknowledged', 'partiallyFilled')",
                           "id NOT IN (SELECT order_id FROM cancel_outcomes WHERE incident_id = ?)"]
            var values: [SQLiteValue] = [.integer(incidentId)]
            if let venue = scope.venue { clauses.append("venue_id = ?"); values.append(.text(venue)) }
            if let account = scope.account { clauses.append("account = ?"); values.append(.text(account)) }
            if let symbol = scope.symbol { clauses.append("symbol = ?"); values.append(.text(symbol)) }
            let untried = try db.prepare("SELECT venue_id, count(*) FROM orders WHERE \(clauses.joined(separator: " AND ")) GROUP BY venue_id").bind(values)
            while try untried.step() {
                let venue = untried.text(0) ?? "", count = Int(untried.int(1))
                var progress = byVenue[venue] ?? IncidentOrderProgress(venue: venue)
                progress.notAttempted += count
                progress.total += count
                progress.outstanding += count
                byVenue[venue] = progress
            }
        }
        return byVenue.values.sorted { $0.venue < $1.venue }
    }
}
