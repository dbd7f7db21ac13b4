import Foundation

/// A PagerDuty Events API v2 event (POST https://events.pagerduty.com/v2/enqueue, answered 202).
///
/// One PagerDuty alert per incident: `dedup_key` names the incident (with the host, since incident ids are
/// per database and a desk may run several daemons against one service). A trip triggers it, an incomplete
/// end triggers it again (PagerDuty adds the update to the same alert), a re-arm resolves it. A flat end
/// sends nothing: the scope is still tripped, and the alert stays open until a person re-arms. A failed armed
/// check triggers an alert of its own per venue, which a person resolves (no event says it passes again).
struct PagerDutyEvent: Encodable, Sendable, Hashable {
    struct Payload: Encodable, Sendable, Hashable {
        /// Shown as the alert's title (PagerDuty keeps the first 1024 characters).
        var summary: String
        var source: String
        /// `critical`, `error`, `warning` or `info`.
        var severity: String
        var timestamp: String
        var component: String?
        var group: String
        var `class`: String
        var custom_details: [String: String]
    }

    var routing_key: String
    /// `trigger` or `resolve`.
    var event_action: String
    var dedup_key: String
    /// Trigger only (a resolve carries none).
    var payload: Payload?
    var client: String?

    static let summaryLimit = 1024

    static func incidentKey(host: String, id: Int64) -> String { "killswitch:\(host):incident:\(id)" }
    static func armedCheckKey(host: String, venue: String) -> String { "killswitch:\(host):armed-check:\(venue)" }
    static func storageKey(host: String) -> String { "killswitch:\(host):storage" }
    static func countdownKey(host: String, venue: String) -> String { "killswitch:\(host):dms:\(venue)" }

    /// The event for a notification, or nil when PagerDuty should hear nothing of it (a flat end).
    static func make(_ notification: WebhookPayload, routingKey: String) -> PagerDutyEvent? {
        let host = notification.host
        func trigger(key: String, severity: String, class kind: String, component: String?, details: [String: String]) -> PagerDutyEvent {
            PagerDutyEvent(routing_key: routingKey, event_action: "trigger", dedup_key: key,
                           payload: Payload(summary: String(notification.text.prefix(summaryLimit)), source: host, severity: severity, timestamp: notification.time,
                                            component: component, group: "killswitch", class: kind, custom_details: details),
                           client: "killswitch")
        }
        switch notification.event {
        case "trip":
            guard let incident = notification.incident else { return nil }
            return trigger(key: incidentKey(host: host, id: incident.id), severity: "critical", class: "trip", component: incident.scope.venue,
                           details: incident.details)
        case "incident-end":
            guard let incident = notification.incident, notification.outcome == "incomplete" else { return nil }
            var details = incident.details
            details["outcome"] = "incomplete"
            details["remaining"] = notification.remaining.map(String.init) ?? "unknown"
            for (kind, count) in notification.counts ?? [:] { details["orders_\(kind)"] = String(count) }
            details["next_step"] = "killswitch audit orders --incident \(incident.id)"
            return trigger(key: incidentKey(host: host, id: incident.id), severity: "critical", class: "incident-incomplete",
                           component: incident.scope.venue, details: details)
        case "rearm":
            guard let incident = notification.incident else { return nil }
            return PagerDutyEvent(routing_key: routingKey, event_action: "resolve", dedup_key: incidentKey(host: host, id: incident.id), payload: nil, client: nil)
        case "armed-check-failed":
            guard let venue = notification.venue else { return nil }
            return trigger(key: armedCheckKey(host: host, venue: venue), severity: "error", class: "armed-check", component: venue,
                           details: ["venue": venue, "detail": notification.detail ?? ""])
        case "storage":
            if notification.outcome == "ok" {
                return PagerDutyEvent(routing_key: routingKey, event_action: "resolve", dedup_key: storageKey(host: host), payload: nil, client: nil)
            }
            return trigger(key: storageKey(host: host), severity: "critical", class: "storage", component: nil, details: ["detail": notification.detail ?? ""])
        case "dms-failed":
            // Critical: unless a refresh gets through, the venue cancels on its own.
            guard let venue = notification.venue else { return nil }
            return trigger(key: countdownKey(host: host, venue: venue), severity: "critical", class: "dms", component: venue,
                           details: ["venues": (notification.venues ?? [venue]).joined(separator: ", "), "detail": notification.detail ?? "",
                                     "countdown_fires_at": notification.countdownFiresAt ?? "not armed"])
        default:
            return nil
        }
    }
}

extension WebhookPayload.Incident {
    /// The incident as PagerDuty's `custom_details` (flat strings: PagerDuty shows them as a table).
    var details: [String: String] {
        var details = ["incident": String(id), "scope": "\(scope)", "reason": reason, "tripped_at": trippedAt]
        if let rule { details["rule"] = rule }
        if let actor { details["actor"] = actor }
        return details
    }
}
