import KillSwitchCore

/// Post-incident queries (`killswitch audit …`), read-only from the database file.
extension StoreReader {
    /// Every incident, oldest first.
    public func auditIncidents() throws -> [AuditIncident] {
        try AuditIncidentQueries.incidents(db)
    }

    /// One incident's timeline; `AuditError.unknownIncident` when there is no such incident.
    public func auditTimeline(incident id: Int64) throws -> IncidentTimeline {
        try IncidentTimelineBuilder.timeline(db, incidentId: id)
    }

    /// The incident's orders with their latest outcome, optionally only those whose latest outcome is `outcome`.
    public func auditOrders(incident id: Int64, outcome: CancelOutcomeKind? = nil) throws -> [AuditOrder] {
        try AuditIncidentQueries.requireIncident(db, id)
        return try AuditOrderQueries.orders(db, incidentId: id, outcome: outcome)
    }

    /// The incident's requests in the order they were committed.
    public func auditRequests(incident id: Int64) throws -> [AuditRequest] {
        try AuditIncidentQueries.requireIncident(db, id)
        return try AuditRequestQueries.requests(db, incidentId: id)
    }
}
