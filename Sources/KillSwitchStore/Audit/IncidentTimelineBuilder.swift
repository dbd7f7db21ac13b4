import Foundation
import KillSwitchCore

/// Assembles an `IncidentTimeline` from the incident's rows (a handful of queries, then plain Swift).
enum IncidentTimelineBuilder {
    static func timeline(_ db: SQLiteConnection, incidentId: Int64) throws -> IncidentTimeline {
        try AuditIncidentQueries.requireIncident(db, incidentId)
        let incidentRow = try db.prepare("""
            SELECT state, scope_venue, scope_account, scope_symbol, rule_id, actor, reason, tripped_at, deadline_at, ended_at
            FROM incidents WHERE id = ?
            """).bind(1, incidentId)
        _ = try incidentRow.step()
        let state = incidentRow.text(0) ?? ""
        let trippedAt = incidentRow.int(7)
        let endedAt = incidentRow.optionalInt(9)
        let trigger = IncidentTimeline.Trigger(
            ruleId: incidentRow.text(4), actor: incidentRow.text(5), reason: incidentRow.text(6) ?? "",
            scope: Scope(venue: incidentRow.text(1), account: incidentRow.text(2), symbol: incidentRow.text(3)).description,
            trippedAt: trippedAt, deadlineAt: incidentRow.optionalInt(8)
        )

        let requests = try AuditRequestQueries.requests(db, incidentId: incidentId)
        let orders = try AuditOrderQueries.orders(db, incidentId: incidentId, outcome: nil)
        let outcomeRows = try outcomeCountsByVenue(db, incidentId: incidentId)
        let listingBodies = try self.listingBodies(db, incidentId: incidentId)
        let auditEvents = try self.auditEvents(db, incidentId: incidentId)

        let venueIds = Set(requests.map(\.venueId)).union(orders.map(\.venueId)).sorted()
        let venues = venueIds.map { venueId in
            activity(venueId, requests: requests.filter { $0.venueId == venueId }, orders: orders.filter { $0.venueId == venueId },
                     outcomes: outcomeRows[venueId] ?? [:])
        }
        let retries = requests.filter { $0.kind == "batch-cancel" && $0.attempt > 1 }
        let escalations = requests.filter { $0.kind == "cancel-all" }
        let verifications = requests.filter { $0.kind == "list-open" }.map { request in
            let body = listingBodies[request.intentId]
            return IncidentTimeline.Verification(request: request, purpose: body?.purpose, listed: body?.open, inScope: body?.inScope)
        }
        var totals: [String: Int] = [:]
        for order in orders { totals[order.outcome?.rawValue ?? "none", default: 0] += 1 }
        let outstanding = orders.filter { !($0.outcome?.isTerminal ?? false) }.count
        let firstRequestAt = requests.map(\.sentAt).min()

        var events: [IncidentTimeline.Event] = auditEvents.map { entry in
            IncidentTimeline.Event(at: entry.at, kind: entry.kind, venueId: nil, symbol: nil,
                                   detail: words(entry.detail.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
                                                 + [("actor", entry.actor), ("uid", entry.actorUid.map { String($0) }), ("note", entry.actorNote)]))
        }
        for venue in venues {
            if let first = venue.firstSentAt {
                events.append(.init(at: first, kind: "first-request", venueId: venue.venueId, symbol: nil,
                                    detail: "requests=\(venue.requests) p50=\(micros(venue.latencyP50Microseconds)) max=\(micros(venue.latencyMaxMicroseconds))"))
            }
            if let last = venue.lastAnsweredAt {
                events.append(.init(at: last, kind: "last-answer", venueId: venue.venueId, symbol: nil, detail: counts(venue.finalOutcomes)))
            }
        }
        for request in retries {
            events.append(.init(at: request.sentAt, kind: "retry", venueId: request.venueId, symbol: request.symbol,
                                detail: words([("attempt", String(request.attempt)), ("orders", String(request.orderCount))]
                                              + request.outcomes.sorted { $0.key < $1.key }.map { ($0.key, String($0.value)) })))
        }
        for request in escalations {
            events.append(.init(at: request.sentAt, kind: "escalation", venueId: request.venueId, symbol: request.symbol,
                                detail: "cancel-all " + words([("http", request.httpStatus.map(String.init)), ("code", request.venueCode), ("error", request.transportError)])))
        }
        for verification in verifications {
            let request = verification.request
            events.append(.init(at: request.sentAt, kind: "listing", venueId: request.venueId, symbol: request.symbol,
                                detail: words([("purpose", verification.purpose), ("listed", verification.listed.map(String.init)),
                                               ("inScope", verification.inScope.map(String.init))]
                                              + request.outcomes.sorted { $0.key < $1.key }.map { ($0.key, String($0.value)) }
                                              + [("error", request.transportError)])))
        }
        // Stable: equal times keep the order above (audit events first).
        events = events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)

        return IncidentTimeline(
            incidentId: incidentId, state: state, trigger: trigger, firstRequestAt: firstRequestAt,
            tripToFirstRequestMilliseconds: firstRequestAt.map { $0 - trippedAt }, endedAt: endedAt,
            durationMilliseconds: endedAt.map { $0 - trippedAt }, timeToFlatMilliseconds: state == "flat" ? endedAt.map { $0 - trippedAt } : nil,
            venues: venues, retries: retries, escalations: escalations, verifications: verifications, auditEvents: auditEvents,
            orders: orders.count, totals: totals, outstanding: outstanding, requests: requests.count, events: events
        )
    }

    static func activity(_ venueId: String, requests: [AuditRequest], orders: [AuditOrder], outcomes: [String: Int]) -> IncidentTimeline.VenueActivity {
        let latencies = requests.filter { $0.wasSent && $0.answeredAt != nil }.compactMap(\.latencyMicroseconds).sorted()
        var finalOutcomes: [String: Int] = [:]
        for order in orders { finalOutcomes[order.outcome?.rawValue ?? "none", default: 0] += 1 }
        return IncidentTimeline.VenueActivity(
            venueId: venueId, requests: requests.count, cancelRequests: requests.filter { $0.kind == "batch-cancel" }.count,
            escalations: requests.filter { $0.kind == "cancel-all" }.count, listings: requests.filter { $0.kind == "list-open" }.count,
            retries: requests.filter { $0.kind == "batch-cancel" && $0.attempt > 1 }.count,
            unanswered: requests.filter { $0.answeredAt == nil }.count,
            firstSentAt: requests.map(\.sentAt).min(), lastAnsweredAt: requests.compactMap(\.answeredAt).max(),
            latencyP50Microseconds: percentile(latencies, 0.5), latencyMaxMicroseconds: latencies.last,
            outcomes: outcomes, finalOutcomes: finalOutcomes
        )
    }

    /// Nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Int64], _ p: Double) -> Int64? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count, max(1, rank)) - 1]
    }

    static func micros(_ value: Int64?) -> String {
        guard let value else { return "-" }
        return String(format: "%.1fms", Double(value) / 1_000)
    }

    /// `key=value` pairs joined by spaces, leaving out absent and empty values.
    static func words(_ pairs: [(String, String?)]) -> String {
        pairs.compactMap { key, value in value.flatMap { $0.isEmpty ? nil : "\(key)=\($0)" } }.joined(separator: " ")
    }

    static func counts(_ counts: [String: Int]) -> String {
        counts.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    static func outcomeCountsByVenue(_ db: SQLiteConnection, incidentId: Int64) throws -> [String: [String: Int]] {
        let statement = try db.prepare("""
            SELECT o.venue_id, c.outcome, count(*) FROM cancel_outcomes c JOIN orders o ON o.id = c.order_id
            WHERE c.incident_id = ? GROUP BY o.venue_id, c.outcome
            """).bind(1, incidentId)
        var out: [String: [String: Int]] = [:]
        while try statement.step() { out[statement.text(0) ?? "", default: [:]][statement.text(1) ?? "", default: 0] = Int(statement.int(2)) }
        return out
    }

    private struct ListingBody: Decodable {
        var purpose: String?
        var open: Int?
        var inScope: Int?
    }

    /// The executor records each successful listing's answer as `{"purpose":…,"open":N,"inScope":M}`.
    private static func listingBodies(_ db: SQLiteConnection, incidentId: Int64) throws -> [Int64: ListingBody] {
        let statement = try db.prepare("""
            SELECT i.id, r.raw_body FROM cancel_intents i JOIN cancel_responses r ON r.intent_id = i.id
            WHERE i.incident_id = ? AND i.kind = 'list-open'
            """).bind(1, incidentId)
        var out: [Int64: ListingBody] = [:]
        while try statement.step() {
            if let body = try? JSONDecoder().decode(ListingBody.self, from: Data((statement.text(1) ?? "").utf8)) { out[statement.int(0)] = body }
        }
        return out
    }

    static func auditEvents(_ db: SQLiteConnection, incidentId: Int64) throws -> [IncidentTimeline.AuditEntry] {
        // A database a daemon has not yet migrated to version 2 has no uid or note columns: read them as absent.
        let hasIdentity = (try db.scalarInt("SELECT count(*) FROM pragma_table_info('audit_events') WHERE name = 'actor_uid'") ?? 0) > 0
        let identity = hasIdentity ? "actor_uid, actor_note" : "NULL, NULL"
        let statement = try db.prepare("SELECT at, kind, actor, detail, \(identity) FROM audit_events WHERE incident_id = ? ORDER BY id")
            .bind(1, incidentId)
        var out: [IncidentTimeline.AuditEntry] = []
        while try statement.step() {
            let detail = (try? JSONSerialization.jsonObject(with: Data((statement.text(3) ?? "{}").utf8))) as? [String: Any] ?? [:]
            out.append(.init(at: statement.int(0), kind: statement.text(1) ?? "", actor: statement.text(2),
                             actorUid: statement.optionalInt(4).flatMap { UInt32(exactly: $0) }, actorNote: statement.text(5),
                             detail: detail.mapValues { "\($0)" }))
        }
        return out
    }
}
