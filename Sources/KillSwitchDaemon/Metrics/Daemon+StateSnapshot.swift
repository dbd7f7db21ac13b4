import Foundation
import KillSwitchCore
import KillSwitchStore

extension Daemon {
    /// What the state gauges show, read now from the engine (the same current state `status` shows, no store
    /// read per incident), the rule engine, the health registry and the rate limits. The one store read (the
    /// last heartbeats) may fail and is then left out: a scrape must work while the disk is failing, since that
    /// is when it matters.
    func stateSnapshot() async -> DaemonStateSnapshot {
        let wallNow = WallClock.system.now()
        let incidents = await engine.statusSnapshot().filter(\.record.isLatched)
        let latched = incidents.map(\.record)

        var byState = Dictionary(uniqueKeysWithValues: DaemonStateSnapshot.incidentStates.map { ($0, 0) })
        for incident in incidents {
            let state: String = switch incident.run {
            // nil: latched in memory while the store could not take the incident, or not yet picked up.
            case .starting?, nil: "starting"
            case .running?: "running"
            case .keepTrying?: "keep_trying"
            case .ended?: "ended"
            }
            byState[state, default: 0] += 1
        }
        // A keep-trying attempt leaves its incident `incomplete` until it is flat.
        let incomplete = latched.filter { $0.state == .incomplete }.count

        let venues = configuration.venueDescriptors.map { venue in
            let account = Scope(venue: venue.id, account: venue.account)
            let health = health.health(venue.id)
            return DaemonStateSnapshot.VenueState(id: venue.id, tripped: latched.contains { $0.scope.overlaps(account) },
                                                  armedCheckOK: health.armedCheckOK, armedCheckAtMilliseconds: health.armedCheckAt,
                                                  clockOffsetMilliseconds: health.clockOffsetMilliseconds)
        }

        let buckets = configuration.venueDescriptors.flatMap { venue in
            limits.buckets(venueId: venue.id).sorted { $0.key < $1.key }.map { pool, bucket in
                DaemonStateSnapshot.Bucket(venue: venue.id, pool: pool, level: bucket.level, capacity: Double(bucket.usableCapacity), waiting: bucket.waitingCount,
                                           penalized: bucket.isPenalized)
            }
        }

        return DaemonStateSnapshot(
            trippedScopes: Set(latched.map(\.scope)).count, incidentsByState: byState, incomplete: incomplete, venues: venues,
            heartbeats: await heartbeatAges(wallNow: wallNow), rules: await rules.evaluations(), storage: store.health.snapshot,
            databaseBytes: Self.databaseBytes(path: store.path), buckets: buckets, countdowns: countdowns.all)
    }

    /// Each heartbeat source's age: for a watched source, since this process last heard it; else since the
    /// store's last heartbeat (a previous run's, after a restart); else since its rule was armed. Sources no
    /// rule watches but the store has heard are shown too, without a timeout.
    private func heartbeatAges(wallNow: Int64) async -> [DaemonStateSnapshot.Heartbeat] {
        let stored = (try? await store.lastHeartbeats()) ?? [:]
        var out: [DaemonStateSnapshot.Heartbeat] = []
        var watched: Set<String> = []
        for watch in await rules.heartbeatWatches() {
            watched.insert(watch.source)
            let storedAge = stored[watch.source].map { Duration.milliseconds(max(0, wallNow - $0)) }
            let age = watch.sinceHeard ?? storedAge ?? watch.watchedFor
            out.append(.init(source: watch.source, ageSeconds: age.seconds, timeoutSeconds: watch.timeout.seconds))
        }
        for (source, at) in stored where !watched.contains(source) {
            out.append(.init(source: source, ageSeconds: Double(max(0, wallNow - at)) / 1_000, timeoutSeconds: nil))
        }
        return out.sorted { $0.source < $1.source }
    }

    /// The database file and its write-ahead log together (the `-shm` index is a few pages and never grows).
    static func databaseBytes(path: String) -> Int64? {
        let sizes = [path, path + "-wal"].compactMap { file -> Int64? in
            (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int64
        }
        return sizes.isEmpty ? nil : sizes.reduce(0, +)
    }
}
