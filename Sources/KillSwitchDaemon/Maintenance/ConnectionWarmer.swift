import KillSwitchCore

/// Keeps as many keep-alive connections open to a venue as its cancel bucket can spend at once (up to
/// `maximum`), so a trip's first burst leaves on warm connections instead of opening them on the critical
/// path (TCP — and against a real venue TLS — per request). Measured on venue-sim: without it the first
/// burst spread over ~300 ms and bunched later requests into the venue's limit; with it, time to flat
/// stays within 1.03× the rate-limit bound (BENCHMARKS.md).
enum ConnectionWarmer {
    static let maximum = 16

    /// Connections worth keeping warm for `venueId`: the burst its cancel bucket allows, 1…`maximum`.
    static func count(venueId: String, limits: VenueRateLimits) -> Int {
        let plan = limits.plan(venueId: venueId, operation: .batchCancel)
        let burst = plan.draws.map { $0.bucket.usableCapacity / max(1, $0.cost) }.min() ?? 1
        return max(1, min(maximum, burst))
    }

    /// `count` concurrent calls to the venue's time endpoint (each first passing `mayCall`; the client takes
    /// each call's budget at the task's priority): concurrency is what makes the pool open that many
    /// connections. Each answer also sets the venue clock's offset, last one wins — so callers sync the
    /// clock once more afterwards.
    static func hold(count: Int, client: any VenueClient, mayCall: @escaping @Sendable () async -> Bool) async {
        await withDiscardingTaskGroup { group in
            for _ in 0..<count {
                group.addTask {
                    guard await mayCall() else { return }
                    _ = try? await client.syncClock()
                }
            }
        }
    }
}

extension Daemon {
    /// Warms every venue account's connection pool (what the maintenance service repeats on its keep-warm
    /// interval); background priority, so it never takes budget from a running incident.
    public func warmVenueConnections() async {
        await RequestContext.$current.withValue(.background) {
            await withDiscardingTaskGroup { group in
                for (venueId, client) in clients {
                    let limits = self.limits
                    group.addTask {
                        await ConnectionWarmer.hold(count: ConnectionWarmer.count(venueId: venueId, limits: limits), client: client) { true }
                        _ = try? await client.syncClock()
                    }
                }
            }
        }
    }
}
