import Foundation
import KillSwitchCore
import KillSwitchStore

/// Renders an `IncidentTimeline`: readable sections for a person, one JSON object, or CSV event rows.
enum IncidentTimelineText {
    static func render(_ timeline: IncidentTimeline, format: OutputFormat) -> String {
        switch format {
        case .json: AuditSource.json(timeline)
        case .csv: events(timeline).renderCSV()
        case .table: text(timeline)
        }
    }

    static func events(_ timeline: IncidentTimeline) -> Tabular {
        Tabular(columns: ["at", "kind", "venue", "symbol", "detail"],
                rows: timeline.events.map { [Timestamp.format($0.at), $0.kind, $0.venueId, $0.symbol, $0.detail] })
    }

    static func text(_ t: IncidentTimeline) -> String {
        let trigger = t.trigger
        var out: [String] = []
        func field(_ name: String, _ value: String) { out.append(name.padding(toLength: 16, withPad: " ", startingAt: 0) + value) }
        func section(_ title: String, _ body: String) { out.append(""); out.append(title); out.append(body) }

        out.append("Incident \(t.incidentId): \(t.state)")
        field("Trigger", (trigger.ruleId.map { "rule \($0)" } ?? "manual trip") + (trigger.actor.map { " by \($0)" } ?? ""))
        field("Reason", trigger.reason)
        field("Scope", trigger.scope)
        field("Tripped", Timestamp.format(trigger.trippedAt) + (trigger.deadlineAt.map { " (deadline \(Timestamp.format($0)))" } ?? ""))
        field("First request", t.firstRequestAt.map { "\(Timestamp.format($0)) (+\($0 - trigger.trippedAt) ms)" } ?? "none")
        field("Ended", t.endedAt.map { "\(Timestamp.format($0)) (after \($0 - trigger.trippedAt) ms)" } ?? "not yet (running)")
        field("Time to flat", t.timeToFlatMilliseconds.map { "\($0) ms" } ?? (t.state == "running" ? "- (running)" : "- (\(t.state): not flat)"))
        field("Totals", "\(t.orders) orders, \(t.requests) requests; latest outcome: \(AuditSource.counts(t.totals)); outstanding \(t.outstanding)")

        section("Venues", Tabular(
            columns: ["venue", "requests", "cancels", "retries", "escalations", "listings", "unanswered", "p50", "max", "first sent", "last answer", "latest outcome"],
            rows: t.venues.map { v in
                [v.venueId, String(v.requests), String(v.cancelRequests), String(v.retries), String(v.escalations), String(v.listings), String(v.unanswered),
                 AuditSource.microsecondsAsMilliseconds(v.latencyP50Microseconds), AuditSource.microsecondsAsMilliseconds(v.latencyMaxMicroseconds),
                 v.firstSentAt.map(Timestamp.format), v.lastAnsweredAt.map(Timestamp.format), AuditSource.counts(v.finalOutcomes)]
            }
        ).renderTable())
        section("Outcome rows per venue (every attempt)", Tabular(
            columns: ["venue"] + CancelOutcomeKind.allCases.map(\.rawValue),
            rows: t.venues.map { v in [v.venueId] + CancelOutcomeKind.allCases.map { String(v.outcomes[$0.rawValue] ?? 0) } }
        ).renderTable())
        section("Retries (\(t.retries.count))", t.retries.isEmpty ? "none" : AuditRequestsCommand.table(t.retries).renderTable())
        section("Escalations to cancel-all (\(t.escalations.count))", t.escalations.isEmpty ? "none" : AuditRequestsCommand.table(t.escalations).renderTable())
        section("Open-order listings: verification and final sweep (\(t.verifications.count))", t.verifications.isEmpty ? "none" : Tabular(
            columns: ["intent", "venue", "purpose", "sentAt", "latency", "listed", "inScope", "decided", "error"],
            rows: t.verifications.map { v in
                [String(v.request.intentId), v.request.venueId, v.purpose, Timestamp.format(v.request.sentAt),
                 v.request.answeredAt == nil ? "unanswered" : AuditSource.microsecondsAsMilliseconds(v.request.latencyMicroseconds),
                 v.listed.map { String($0) }, v.inScope.map { String($0) }, AuditSource.counts(v.request.outcomes), v.request.transportError]
            }
        ).renderTable())
        // The actor is who the kernel (or the TCP token) says called; the note is what the caller typed.
        section("Audit events", Tabular(
            columns: ["at", "kind", "actor", "uid", "note", "detail"],
            rows: t.auditEvents.map {
                [Timestamp.format($0.at), $0.kind, $0.actor, $0.actorUid.map { String($0) }, $0.actorNote,
                 $0.detail.isEmpty ? nil : clip(detail($0.detail))]
            }
        ).renderTable())
        var shortened = events(t)
        shortened.rows = shortened.rows.map { row in row.enumerated().map { $0.offset == 4 ? $0.element.map(clip) : $0.element } }
        section("Events", shortened.renderTable())
        return out.joined(separator: "\n")
    }

    /// Long values (an incomplete incident's summary) are cut in the text form; json and csv keep them whole.
    private static func clip(_ text: String) -> String {
        text.count <= 160 ? text : String(text.prefix(159)) + "…"
    }

    private static func detail(_ detail: [String: String]) -> String {
        detail.sorted { $0.key < $1.key }.filter { !$0.value.isEmpty }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
