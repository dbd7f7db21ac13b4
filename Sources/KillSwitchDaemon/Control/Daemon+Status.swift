import Foundation
import KillSwitchCore
import KillSwitchStore

extension Daemon {
    /// What `GET /v1/status` answers: tripped scopes, every latched or running incident with its progress,
    /// every rule against its threshold, every venue-account's health and buckets.
    public func statusReport() async throws -> StatusReport {
        let latched = await engine.latchedIncidents
        // The engine's latched records are snapshots from the trip; the store has each incident's current state.
        var shown: [Int64: IncidentRecord] = [:]
        for incident in try await store.runningIncidents() { shown[incident.id] = incident }
        for incident in latched where shown[incident.id] == nil {
            shown[incident.id] = try await store.incident(id: incident.id) ?? incident
        }
        var incidents: [StatusReport.Incident] = []
        for record in shown.values.sorted(by: { $0.id < $1.id }) {
            incidents.append(try await incidentStatus(record))
        }
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
        return StatusReport(armed: latched.isEmpty, tripped: tripped, incidents: incidents, rules: rules, venues: venues, time: WallClock.system.now())
    }

    private func incidentStatus(_ record: IncidentRecord) async throws -> StatusReport.Incident {
        let orders = try await store.incidentOrderProgress(incidentId: record.id, scope: record.scope, includeUntried: record.state == .running)
        let live = await engine.progress(of: record.id)?.snapshot ?? [:]
        var total = IncidentOrderProgress(venue: "*")
        for venue in orders {
            total.total += venue.total
            total.notAttempted += venue.notAttempted
            total.outstanding += venue.outstanding
            total.outcomes.merge(venue.outcomes, uniquingKeysWith: +)
        }
        let venueIds = Set(orders.map(\.venue)).union(live.keys).sorted()
        let venues = venueIds.map { id in
            let counts = live[id]
            let latency = counts.flatMap { $0.answered > 0 ? Double($0.totalLatencyNanoseconds) / Double($0.answered) / 1e6 : nil }
            return StatusReport.Venue(venue: id, orders: orders.first { $0.venue == id } ?? IncidentOrderProgress(venue: id),
                                      requests: counts?.requests ?? 0, averageLatencyMilliseconds: latency)
        }
        return StatusReport.Incident(id: record.id, scope: record.scope, reason: record.reason, rule: record.ruleId, actor: record.actor,
                                     state: record.state.rawValue, latched: record.isLatched, trippedAt: record.trippedAt, endedAt: record.endedAt,
                                     orders: total, venues: venues)
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
            clockOffsetMilliseconds: health.clockOffsetMilliseconds, buckets: buckets
        )
    }
}
