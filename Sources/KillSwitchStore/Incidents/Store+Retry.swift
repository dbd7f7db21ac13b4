import KillSwitchCore

extension Store {
    /// Marks an ended incident running again for an operator's retry, with a fresh deadline, and audits who
    /// asked. The incident's latch is untouched.
    public func retryIncident(id: Int64, actor: String?, deadlineAt: Int64?) throws -> IncidentRecord? {
        let now = clock.now()
        return try write { db in
            try db.cached("UPDATE incidents SET state = 'running', ended_at = NULL, deadline_at = ? WHERE id = ?")
                .bind([SQLiteValue(deadlineAt), .integer(id)]).run()
            try appendAudit(db, at: now, kind: "incident-retry", incidentId: id, actor: actor, detail: [:])
            let s = try db.cached("SELECT \(Store.incidentColumns) FROM incidents WHERE id = ?").bind(1, id)
            return try s.step() ? Store.readIncident(s) : nil
        }
    }
}
