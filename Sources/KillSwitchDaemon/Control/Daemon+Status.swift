import Foundation
import KillSwitchCore
import KillSwitchStore

extension Daemon {
    /// What `GET /v1/status` answers: tripped scopes, every latched or running incident with its progress,
    /// every rule against its threshold, every venue-account's health and buckets.
    public func statusReport() async throws -> StatusReport {
        // From state the engine keeps current: no store read per incident, so status answers at once while
        // a 100,000-order incident writes to the store.
        let snapshots = await engine.statusSnapshot()
        let latched = snapshots.map(\.record).filter(\.isLatched)
        let incidents = snapshots.map(incidentStatus)
        var tripped: [StatusReport.TrippedScope] = []
        for incident in latched {
            if let index = tripped.firstIndex(where: { $0.scope == incident.scope }) {
                tripped[index].incidents.append(incident.id)
            } else {
                tripped.append(StatusReport.TrippedScope(scope: incident.scope, incidents: [incident.id]))
            }
        }
        let rules = await self.rules.evaluations().map {
            StatusReport.Rule(id: $0.ruleId, fired: $0.fired, value: $0.value, threshold: $0.threshold, reason: $0.reason)
        }
        let venues = configuration.venueDescriptors.map { venueStatus($0, latched: latched) }
        let health = store.health.snapshot
        let storage = StatusReport.Storage(ok: health.ok, lastError: health.ok ? nil : health.lastError, lastFailureAt: health.lastFailureAt, journal: health.journalPath,
                                           journalRecords: health.journalRecords, journalUsedBytes: health.journalUsedBytes,
                                           journalSizeBytes: health.journalSizeBytes, unrecorded: health.unrecorded)
        return StatusReport(armed: latched.isEmpty, tripped: tripped, incidents: incidents, rules: rules, venues: venues, storage: storage,
                            mode: configuration.engine.mode.rawValue, time: WallClock.system.now())
    }

    /// One incident: per venue, orders by latest outcome and requests from the live progress of its last
    /// fan-out in this process; for an incident this process has not worked on, the counts its stored summary
    /// recorded at its end.
    private func incidentStatus(_ snapshot: TripEngine.IncidentSnapshot) -> StatusReport.Incident {
        let record = snapshot.record
        var venues: [StatusReport.Venue] = []
        if let live = snapshot.progress?.snapshot {
            for (id, counts) in live.sorted(by: { $0.key < $1.key }) {
                let total = max(counts.planned, counts.orders)
                let notAttempted = max(0, total - counts.orders)
                let orders = IncidentOrderProgress(venue: id, total: total, outcomes: counts.outcomes, notAttempted: notAttempted,
                                                   outstanding: counts.outstanding + notAttempted)
                let latency = counts.answered > 0 ? Double(counts.totalLatencyNanoseconds) / Double(counts.answered) / 1e6 : nil
                venues.append(StatusReport.Venue(venue: id, orders: orders, requests: counts.requests, averageLatencyMilliseconds: latency))
            }
        } else if let summary = record.summary.flatMap(IncidentSummaryCounts.init(json:)) {
            venues = summary.venues.map { StatusReport.Venue(venue: $0.venue, orders: $0, requests: 0, averageLatencyMilliseconds: nil) }
        }
        var total = IncidentOrderProgress(venue: "*")
        for venue in venues {
            total.total += venue.orders.total
            total.notAttempted += venue.orders.notAttempted
            total.outstanding += venue.orders.outstanding
            total.outcomes.merge(venue.orders.outcomes, uniquingKeysWith: +)
        }
        return StatusReport.Incident(id: record.id, scope: record.scope, reason: record.reason, rule: record.ruleId, actor: record.actor,
                                     state: record.state.rawValue, run: snapshot.run?.rawValue, nextAttemptAt: snapshot.nextAttemptAt,
                                     latched: record.isLatched, trippedAt: record.trippedAt, endedAt: record.endedAt, orders: total, venues: venues)
    }

    private func venueStatus(_ venue: VenueDescriptor, latched: [IncidentRecord]) -> StatusReport.VenueAccount {
        let account = Scope(venue: venue.id, account: venue.account)
        let covering = latched.filter { $0.scope.covers(account) }
        let touching = latched.filter { $0.scope.overlaps(account) }
        let state = !covering.isEmpty ? "tripped" : (touching.isEmpty ? "armed" : "partly-tripped")
        let health = health.health(venue.id)
        let buckets = limits.buckets(venueId: venue.id).sorted { $0.key < $1.key }.map { pool, bucket in
            StatusReport.Bucket(pool: pool, level: bucket.level, capacity: bucket.usableCapacity, waiting: bucket.waitingCount, penalized: bucket.isPenalized)
        }
        return StatusReport.VenueAccount(
            venue: venue.id, kind: venue.kind.rawValue, account: venue.account, state: state, incidents: touching.map(\.id),
            lastAnswerAt: health.lastAnswerAt, lastAnswerOK: health.lastAnswerOK, armedCheckAt: health.armedCheckAt,
            armedCheckOK: health.armedCheckOK, armedCheckDetail: health.armedCheckDetail,
            clockOffsetMilliseconds: health.clockOffsetMilliseconds, buckets: buckets, countdown: countdowns.status(venue.id)
        )
    }
}
