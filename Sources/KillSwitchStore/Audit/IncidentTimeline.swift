import KillSwitchCore

/// One incident from trip to end, as `killswitch audit incident N` shows it: what tripped it, the first
/// request, each venue's requests (latency, outcomes), retries, escalations, verification listings, the
/// operator/lifecycle audit events, totals, and time to flat. Built from the append-only tables only.
public struct IncidentTimeline: Sendable, Hashable, Codable {
    /// What tripped the incident.
    public struct Trigger: Sendable, Hashable, Codable {
        /// The rule that fired; nil for a manual trip.
        public var ruleId: String?
        public var actor: String?
        public var reason: String
        public var scope: String
        public var trippedAt: Int64
        public var deadlineAt: Int64?
    }

    /// One venue account's part in the incident.
    public struct VenueActivity: Sendable, Hashable, Codable {
        public var venueId: String
        /// Requests of every kind, and of each kind.
        public var requests: Int
        public var cancelRequests: Int
        public var escalations: Int
        public var listings: Int
        /// Batch cancels with attempt > 1.
        public var retries: Int
        /// Requests sent but never answered (the process died in between).
        public var unanswered: Int
        public var firstSentAt: Int64?
        public var lastAnsweredAt: Int64?
        /// Over the answered requests that left (all kinds), in microseconds.
        public var latencyP50Microseconds: Int64?
        public var latencyMaxMicroseconds: Int64?
        /// Every outcome row (one per order per attempt), by kind.
        public var outcomes: [String: Int]
        /// Each order's latest outcome, by kind ("none" for an order a request named but no answer decided).
        public var finalOutcomes: [String: Int]
    }

    /// A listing of open orders: a verification of pending/unknown outcomes, or the final sweep.
    public struct Verification: Sendable, Hashable, Codable {
        public var request: AuditRequest
        /// `verify` or `final` (nil when the listing failed before answering).
        public var purpose: String?
        /// Open orders the venue listed, and those inside the incident's scope.
        public var listed: Int?
        public var inScope: Int?
    }

    /// An audit_events row: trip, resume, incident-end, incident-reopen, incident-retry, rearm, rearm-forced.
    public struct AuditEntry: Sendable, Hashable, Codable {
        public var at: Int64
        public var kind: String
        /// Who: the caller's Unix user (or the TCP token's name, the rule, `signal`).
        public var actor: String?
        /// The caller's Unix uid as the kernel reported it (nil on TCP and for the daemon's own actors).
        public var actorUid: UInt32?
        /// The name the request body gave (`actor`, `operator`): a note, not an identity.
        public var actorNote: String?
        public var detail: [String: String]
    }

    /// One row of the chronological event list (the CSV form of the timeline).
    public struct Event: Sendable, Hashable, Codable {
        public var at: Int64
        public var kind: String
        public var venueId: String?
        public var symbol: String?
        public var detail: String
    }

    public var incidentId: Int64
    /// `running`, `flat` or `incomplete`.
    public var state: String
    public var trigger: Trigger
    /// The first request of the incident on any venue, and how long after the trip it left.
    public var firstRequestAt: Int64?
    public var tripToFirstRequestMilliseconds: Int64?
    public var endedAt: Int64?
    /// Trip → end (whatever the ending), and trip → end when the incident ended flat.
    public var durationMilliseconds: Int64?
    public var timeToFlatMilliseconds: Int64?
    public var venues: [VenueActivity]
    public var retries: [AuditRequest]
    public var escalations: [AuditRequest]
    public var verifications: [Verification]
    public var auditEvents: [AuditEntry]
    /// Orders touched, by latest outcome; `outstanding` = orders whose latest outcome is not terminal (or none).
    public var orders: Int
    public var totals: [String: Int]
    public var outstanding: Int
    public var requests: Int
    /// Everything above in time order.
    public var events: [Event]
}
