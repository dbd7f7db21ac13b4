import KillSwitchCore
import KillSwitchStore

/// `GET /v1/status`: what is armed and what is tripped, every latched or running incident with its progress,
/// every rule's current value against its threshold, and every venue-account's health.
public struct StatusReport: Sendable, Hashable, Codable {
    /// A tripped scope and the incidents latching it.
    public struct TrippedScope: Sendable, Hashable, Codable {
        public var scope: Scope
        public var state: String
        public var incidents: [Int64]

        public init(scope: Scope, incidents: [Int64]) {
            self.scope = scope
            self.state = "tripped"
            self.incidents = incidents
        }
    }

    /// One incident and how far its fan-out has got.
    public struct Incident: Sendable, Hashable, Codable {
        public var id: Int64
        public var scope: Scope
        public var reason: String
        public var rule: String?
        public var actor: String?
        /// `running`, `flat` or `incomplete` (the incident's recorded state).
        public var state: String
        /// What this process is doing about it: `starting`, `running`, `keep-trying` (incomplete, tried again
        /// at `nextAttemptAt`) or `ended`; nil when no fan-out was run for it since the daemon started.
        public var run: String?
        public var nextAttemptAt: Int64?
        public var latched: Bool
        /// Wall-clock milliseconds.
        public var trippedAt: Int64
        public var endedAt: Int64?
        /// All venues together.
        public var orders: IncidentOrderProgress
        public var venues: [Venue]

        public init(id: Int64, scope: Scope, reason: String, rule: String?, actor: String?, state: String, run: String? = nil, nextAttemptAt: Int64? = nil,
                    latched: Bool, trippedAt: Int64, endedAt: Int64?, orders: IncidentOrderProgress, venues: [Venue]) {
            self.run = run
            self.nextAttemptAt = nextAttemptAt
            self.id = id
            self.scope = scope
            self.reason = reason
            self.rule = rule
            self.actor = actor
            self.state = state
            self.latched = latched
            self.trippedAt = trippedAt
            self.endedAt = endedAt
            self.orders = orders
            self.venues = venues
        }
    }

    /// One venue's part of an incident: its orders, and the requests this process has sent for it.
    public struct Venue: Sendable, Hashable, Codable {
        public var venue: String
        public var orders: IncidentOrderProgress
        public var requests: Int
        public var averageLatencyMilliseconds: Double?

        public init(venue: String, orders: IncidentOrderProgress, requests: Int, averageLatencyMilliseconds: Double?) {
            self.venue = venue
            self.orders = orders
            self.requests = requests
            self.averageLatencyMilliseconds = averageLatencyMilliseconds
        }
    }

    public struct Rule: Sendable, Hashable, Codable {
        public var id: String
        public var fired: Bool
        public var value: String
        public var threshold: String
        public var reason: String

        public init(id: String, fired: Bool, value: String, threshold: String, reason: String) {
            self.id = id
            self.fired = fired
            self.value = value
            self.threshold = threshold
            self.reason = reason
        }
    }

    public struct Bucket: Sendable, Hashable, Codable {
        public var pool: String
        /// Tokens available now.
        public var level: Double
        public var capacity: Int
        public var waiting: Int
        public var penalized: Bool

        public init(pool: String, level: Double, capacity: Int, waiting: Int, penalized: Bool) {
            self.pool = pool
            self.level = level
            self.capacity = capacity
            self.waiting = waiting
            self.penalized = penalized
        }
    }

    /// A venue-account: armed or tripped, and what the daemon last saw of it.
    public struct VenueAccount: Sendable, Hashable, Codable {
        public var venue: String
        public var kind: String
        public var account: String
        /// `armed`, `tripped` (a latched scope covers the whole account) or `partly-tripped` (some symbols).
        public var state: String
        public var incidents: [Int64]
        public var lastAnswerAt: Int64?
        public var lastAnswerOK: Bool?
        public var armedCheckAt: Int64?
        public var armedCheckOK: Bool?
        public var armedCheckDetail: String?
        public var clockOffsetMilliseconds: Int64?
        public var buckets: [Bucket]
        /// The venue's countdown cancel-all (`dms`): armed until when, partial, daemon-only or failing.
        public var countdown: CountdownStatus?

        public init(venue: String, kind: String, account: String, state: String, incidents: [Int64], lastAnswerAt: Int64? = nil,
                    lastAnswerOK: Bool? = nil, armedCheckAt: Int64? = nil, armedCheckOK: Bool? = nil, armedCheckDetail: String? = nil,
                    clockOffsetMilliseconds: Int64? = nil, buckets: [Bucket] = [], countdown: CountdownStatus? = nil) {
            self.countdown = countdown
            self.venue = venue
            self.kind = kind
            self.account = account
            self.state = state
            self.incidents = incidents
            self.lastAnswerAt = lastAnswerAt
            self.lastAnswerOK = lastAnswerOK
            self.armedCheckAt = armedCheckAt
            self.armedCheckOK = armedCheckOK
            self.armedCheckDetail = armedCheckDetail
            self.clockOffsetMilliseconds = clockOffsetMilliseconds
            self.buckets = buckets
        }
    }

    /// True when nothing is tripped.
    public var armed: Bool
    /// `live` or `shadow` (`[engine] mode`): in shadow mode nothing is cancelled — the venues are unprotected.
    public var mode: String?
    /// `protected`, or `unprotected` in shadow mode — said in so many words for dashboards and scripts.
    public var protection: String?
    public var tripped: [TrippedScope]
    public var incidents: [Incident]
    public var rules: [Rule]
    public var venues: [VenueAccount]
    /// Whether the database writes, and the journal it falls back to.
    public var storage: Storage?
    /// Wall-clock milliseconds when the report was made.
    public var time: Int64

    /// The store's health: `ok` false while the database cannot write (incidents are then recorded in the
    /// journal, merged once it writes again).
    public struct Storage: Sendable, Hashable, Codable {
        public var ok: Bool
        public var lastError: String?
        public var lastFailureAt: Int64?
        public var journal: String?
        public var journalRecords: Int
        public var journalUsedBytes: Int
        public var journalSizeBytes: Int
        /// Writes that reached neither the database nor the journal (their cancels were sent anyway).
        public var unrecorded: Int

        public init(ok: Bool, lastError: String?, lastFailureAt: Int64?, journal: String?, journalRecords: Int, journalUsedBytes: Int, journalSizeBytes: Int, unrecorded: Int) {
            self.ok = ok
            self.lastError = lastError
            self.lastFailureAt = lastFailureAt
            self.journal = journal
            self.journalRecords = journalRecords
            self.journalUsedBytes = journalUsedBytes
            self.journalSizeBytes = journalSizeBytes
            self.unrecorded = unrecorded
        }
    }

    public init(armed: Bool, tripped: [TrippedScope], incidents: [Incident], rules: [Rule], venues: [VenueAccount], storage: Storage? = nil, mode: String? = nil, time: Int64) {
        self.armed = armed
        self.mode = mode
        self.protection = mode.map { $0 == "shadow" ? "unprotected" : "protected" }
        self.tripped = tripped
        self.incidents = incidents
        self.rules = rules
        self.venues = venues
        self.storage = storage
        self.time = time
    }
}
