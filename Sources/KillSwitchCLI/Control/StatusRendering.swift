import Foundation
import KillSwitchCore
import KillSwitchDaemon

/// `status --format table`: sections of aligned tables.
enum StatusRendering {
    static func table(_ report: StatusReport) -> String {
        var sections: [String] = []
        if report.mode == "shadow" {
            sections.append("SHADOW MODE — UNPROTECTED: trips are planned and recorded, nothing is cancelled ([engine] mode = \"shadow\")")
        }
        if report.armed {
            sections.append("ARMED: nothing is tripped")
        } else {
            sections.append("TRIPPED:\n" + Tabular(columns: ["scope", "incidents"], rows: report.tripped.map {
                [$0.scope.description, $0.incidents.map(String.init).joined(separator: ",")]
            }).renderTable())
        }
        if let storage = report.storage, !storage.ok || storage.journalRecords > 0 || storage.unrecorded > 0 {
            var lines = ["STORAGE: " + (storage.ok ? "writes again; merging the journal" : "FAILING — the database cannot write: \(storage.lastError ?? "?")")]
            lines.append("  journal \(storage.journal ?? "none"): \(storage.journalRecords) record(s) waiting, \(storage.journalUsedBytes)/\(storage.journalSizeBytes) bytes")
            if storage.unrecorded > 0 { lines.append("  \(storage.unrecorded) write(s) reached neither the database nor the journal (their cancels were sent)") }
            sections.append(lines.joined(separator: "\n"))
        }
        if !report.incidents.isEmpty {
            sections.append("INCIDENTS:\n" + Tabular(
                columns: ["id", "state", "scope", "by", "reason", "orders", "cancelled", "alreadyClosed", "pending", "rejected", "outstanding"],
                rows: report.incidents.map { incident in
                    let o = incident.orders
                    return [String(incident.id), incident.state + (incident.latched ? "" : " (re-armed)"), incident.scope.description,
                            incident.rule ?? incident.actor, incident.reason, String(o.total), String(o.count(.cancelled)),
                            String(o.count(.alreadyClosed)), String(o.count(.pending)), String(o.count(.rejected)), String(o.outstanding)]
                }
            ).renderTable())
        }
        if !report.rules.isEmpty {
            sections.append("RULES:\n" + Tabular(columns: ["rule", "fired", "value", "threshold", "reason"], rows: report.rules.map {
                [$0.id, $0.fired ? "yes" : "no", $0.value, $0.threshold, $0.reason]
            }).renderTable())
        }
        if !report.venues.isEmpty {
            sections.append("VENUES:\n" + Tabular(
                columns: ["venue", "kind", "account", "state", "lastAnswer", "armedCheck", "clockOffsetMs", "buckets"],
                rows: report.venues.map { venue in
                    let answer = venue.lastAnswerAt.map { Timestamp.format($0) + (venue.lastAnswerOK == false ? " (error)" : "") }
                    let armed = venue.armedCheckOK.map { $0 ? "ok" : "FAILED" + (venue.armedCheckDetail.map { ": \($0)" } ?? "") }
                    let buckets = venue.buckets.map { "\($0.pool) \(Int($0.level))/\($0.capacity)\($0.penalized ? " held" : "")" }.joined(separator: ", ")
                    return [venue.venue, venue.kind, venue.account, venue.state, answer, armed, venue.clockOffsetMilliseconds.map(String.init), buckets]
                }
            ).renderTable())
        }
        let countdowns = report.venues.compactMap { venue in venue.countdown.map { (venue.venue, $0) } }
        if !countdowns.isEmpty {
            sections.append("VENUE COUNTDOWNS (dms):\n" + Tabular(columns: ["venue", "protection", "detail"], rows: countdowns.map { venue, countdown in
                [venue, countdownProtection(countdown), countdown.detail]
            }).renderTable())
        }
        return sections.joined(separator: "\n\n")
    }

    /// "armed until T", "partial protection until T", "daemon-only protection", "FAILING (n) …".
    static func countdownProtection(_ countdown: CountdownStatus) -> String {
        let until = countdown.armedUntil.map { " until \(Timestamp.format($0))" } ?? ""
        switch countdown.protection {
        case "armed": return "armed\(until)"
        case "partial": return "partial protection\(until)"
        case "daemon-only": return "daemon-only protection"
        case "failing": return "FAILING (\(countdown.consecutiveFailures) refresh(es) failed)" + (countdown.armedUntil.map { ", fires \(Timestamp.format($0))" } ?? "")
        case "left-armed": return "left armed\(until)"
        default: return countdown.protection
        }
    }
}
