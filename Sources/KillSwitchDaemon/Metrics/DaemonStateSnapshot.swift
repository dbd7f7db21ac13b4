import KillSwitchCore
import KillSwitchStore

/// What is true of the daemon now, as the state gauges show it: gathered at each scrape
/// (`Daemon.stateSnapshot()`), turned into series by `StateMetrics.update`. A plain value, so the mapping to
/// series is tested without a daemon.
struct DaemonStateSnapshot: Sendable {
    struct VenueState: Sendable, Hashable {
        var id: String
        /// A latched scope covers the venue account, wholly or in part.
        var tripped: Bool
        /// nil until the first armed check (no series until then: "not checked yet" is not "failing").
        var armedCheckOK: Bool?
        var armedCheckAtMilliseconds: Int64?
        var clockOffsetMilliseconds: Int64?
    }

    struct Heartbeat: Sendable, Hashable {
        var source: String
        var ageSeconds: Double
        /// nil for a source no rule watches.
        var timeoutSeconds: Double?
    }

    struct Bucket: Sendable, Hashable {
        var venue: String
        var pool: String
        var level: Double
        var capacity: Double
        var waiting: Int
        /// A hold the venue asked for is in force (a 429's Retry-After, a Binance ban).
        var penalized: Bool
    }

    /// Distinct scopes latched (the gate answers "blocked" inside them).
    var trippedScopes: Int
    /// Latched incidents by where their cancelling stands in this process: `starting`, `running`,
    /// `keep_trying`, `ended`.
    var incidentsByState: [String: Int]
    /// Latched incidents whose last fan-out ended `incomplete`.
    var incomplete: Int
    var venues: [VenueState]
    var heartbeats: [Heartbeat]
    var rules: [RuleEvaluation]
    var storage: StorageHealth.Snapshot
    /// Database file plus its write-ahead log, bytes; nil when neither could be read.
    var databaseBytes: Int64?
    var buckets: [Bucket]
    /// Each venue entry's countdown protection (`dms`), by venue id.
    var countdowns: [String: CountdownStatus] = [:]

    static let incidentStates = ["starting", "running", "keep_trying", "ended"]
}
