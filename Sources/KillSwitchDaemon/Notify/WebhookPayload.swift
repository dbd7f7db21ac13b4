import Foundation
import KillSwitchCore
import KillSwitchStore

/// The JSON body POSTed to a `[[notify]]` webhook. Flat and self-describing: `event` says which of the
/// four it is, `text` is one line a chat channel can show as is. Never carries a secret (no keys, no
/// config): incident fields, counts, operator names and venue error texts only.
struct WebhookPayload: Encodable, Sendable, Hashable {
    struct Incident: Encodable, Sendable, Hashable {
        var id: Int64
        var scope: Scope
        var reason: String
        var rule: String?
        var actor: String?
        var trippedAt: String
    }

    struct Rearm: Encodable, Sendable, Hashable {
        var `operator`: String
        var reason: String
        var forced: Bool
    }

    /// `trip`, `incident-end`, `rearm`, `armed-check-failed` or `dms-failed` (the names `[[notify]] events` takes).
    var event: String
    var time: String
    var host: String
    var text: String
    var incident: Incident?
    /// incident-end: `flat` or `incomplete`, trip-to-end time, outcome counts over all venues, and how
    /// many orders were left open.
    var outcome: String?
    var durationMs: Int64?
    var counts: [String: Int]?
    var remaining: Int?
    var rearm: Rearm?
    /// armed-check-failed, dms-failed: the venue id and what went wrong.
    var venue: String?
    var detail: String?
    /// dms-failed: every venue entry the countdown reaches, and when it fires unless refreshed (RFC 3339).
    var venues: [String]?
    var countdownFiresAt: String?

    func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("{}".utf8)
    }
}

extension WebhookPayload {
    /// The `[[notify]] events` name of a daemon event.
    static func eventName(_ event: DaemonEvent) -> String {
        switch event {
        case .tripped: "trip"
        case .incidentEnded: "incident-end"
        case .rearmed: "rearm"
        case .armedCheckFailed: "armed-check-failed"
        case .storage: "storage"
        case .countdownFailed: "dms-failed"
        }
    }

    /// Builds the payload; an incident end reads the stored end summary for its counts.
    static func make(_ event: DaemonEvent, now: Int64, host: String, summary: (Int64) async -> IncidentEndCounts?) async -> WebhookPayload {
        var payload = WebhookPayload(event: eventName(event), time: Timestamp.format(now), host: host, text: "")
        switch event {
        case .tripped(let record):
            payload.incident = Incident(record)
            payload.text = "killswitch TRIPPED \(record.scope) (incident \(record.id)): \(record.reason)"
        case .incidentEnded(let record, let outcome, let duration):
            payload.incident = Incident(record)
            payload.outcome = outcome.rawValue
            payload.durationMs = duration / 1_000_000
            let counts = await summary(record.id)
            payload.counts = counts?.outcomes
            payload.remaining = counts?.remaining
            let cancelled = counts?.outcomes["cancelled"] ?? 0
            payload.text = outcome == .flat
                ? "killswitch incident \(record.id) ended FLAT after \(payload.durationMs ?? 0) ms (\(cancelled) cancelled)"
                : "killswitch incident \(record.id) ended INCOMPLETE: \(counts?.remaining ?? 0) order(s) may still be open — the daemon keeps trying while the scope is latched; a human should look"
        case .rearmed(let record, let name, let reason, let forced):
            payload.incident = Incident(record)
            payload.rearm = Rearm(operator: name, reason: reason, forced: forced)
            payload.text = "killswitch re-armed \(record.scope) (incident \(record.id)) by \(name)\(forced ? " (FORCED)" : ""): \(reason)"
        case .armedCheckFailed(let venueId, let detail):
            payload.venue = venueId
            payload.detail = detail
            payload.text = "killswitch armed check FAILED on \(venueId): \(detail)"
        case .storage(let ok, let detail):
            payload.outcome = ok ? "ok" : "failing"
            payload.detail = detail
            payload.text = ok ? "killswitch storage writes again: \(detail)"
                : "killswitch STORAGE FAILING: the database cannot write (\(detail)); cancelling goes on, recorded in the journal — free space now"
        case .countdownFailed(let venueIds, let detail, let armedUntil):
            payload.venue = venueIds.first
            payload.venues = venueIds
            payload.detail = detail
            payload.countdownFiresAt = armedUntil.map(Timestamp.format)
            let fires = armedUntil.map { "the venue cancels everything it reaches at \(Timestamp.format($0)) unless a refresh gets through" }
                ?? "the venue's countdown was never armed: daemon-only protection"
            payload.text = "killswitch countdown refresh FAILED on \(venueIds.joined(separator: ", ")): \(detail); \(fires)"
        }
        return payload
    }
}

extension WebhookPayload.Incident {
    init(_ record: IncidentRecord) {
        self.init(id: record.id, scope: record.scope, reason: record.reason, rule: record.ruleId, actor: record.actor,
                  trippedAt: Timestamp.format(record.trippedAt))
    }
}

/// Outcome counts of an ended incident, summed over its venues from the stored summary.
struct IncidentEndCounts: Sendable, Hashable {
    var outcomes: [String: Int]
    var remaining: Int

    /// Reads `IncidentSummary`'s JSON (`{"outcome", "venues": [{"outcomes": {kind: n}, "remaining": [...]}]}`).
    init?(summaryJSON: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(summaryJSON.utf8)) as? [String: Any],
              let venues = object["venues"] as? [[String: Any]] else { return nil }
        var outcomes: [String: Int] = [:]
        var remaining = 0
        for venue in venues {
            for (kind, count) in venue["outcomes"] as? [String: Int] ?? [:] { outcomes[kind, default: 0] += count }
            remaining += venue["remainingCount"] as? Int ?? (venue["remaining"] as? [Any])?.count ?? 0
        }
        self.outcomes = outcomes
        self.remaining = remaining
    }
}
