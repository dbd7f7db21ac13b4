import KillSwitchConfig
import KillSwitchCore
import Synchronization

/// Where each venue entry's countdown protection stands (for `status` and `/metrics`), and the symbols seen
/// with open orders on per-symbol countdown venues (Binance), which the countdown service arms on first sight.
/// Written by the countdown service, read at any time without waiting on it.
public final class CountdownBoard: Sendable {
    private let statuses: Mutex<[String: CountdownStatus]>
    /// Venue entries whose countdown is per symbol, each with the group it belongs to.
    let perSymbolVenues: [String: String]
    /// (venue id, symbol) of each open order seen through ingest on a per-symbol venue.
    let sightings: AsyncStream<(venue: String, symbol: String)>
    private let sightingSink: AsyncStream<(venue: String, symbol: String)>.Continuation

    init(configuration: KillSwitchConfiguration) {
        var statuses: [String: CountdownStatus] = [:]
        let groups = CountdownPlan.groups(configuration)
        let nothing = CountdownPlan.armsNothing(configuration)
        var perSymbol: [String: String] = [:]
        for venue in configuration.venues {
            let d = venue.descriptor
            if let group = groups.first(where: { $0.venueIds.contains(d.id) }), group.armingVenueId != nil, nothing == nil {
                statuses[d.id] = CountdownStatus(protection: "arming", detail: "countdown reaching \(d.kind.countdownReach)")
                if d.kind.countdownPerSymbol { perSymbol[d.id] = group.key }
            } else {
                let reason = !d.kind.hasCountdown ? "\(d.kind.rawValue) has no countdown cancel-all"
                    : nothing ?? (d.enabled ? "no dms configured" : "disabled")
                statuses[d.id] = CountdownStatus(protection: "daemon-only", detail: reason)
            }
        }
        self.statuses = Mutex(statuses)
        perSymbolVenues = perSymbol
        // Bounded: a burst of new symbols beyond this is still found by the service's store poll.
        (sightings, sightingSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(4_096))
    }

    /// A venue entry's protection now (nil for an unknown venue id).
    public func status(_ venueId: String) -> CountdownStatus? {
        statuses.withLock { $0[venueId] }
    }

    public var all: [String: CountdownStatus] { statuses.withLock { $0 } }

    func set(_ venueIds: [String], _ status: CountdownStatus) {
        statuses.withLock { for id in venueIds { $0[id] = status } }
    }

    /// Open orders stored by ingest: on a per-symbol venue, a symbol the service has not armed yet is armed at
    /// once (never blocks the caller).
    func saw(openOrdersOn places: [(venue: String, symbol: String)]) {
        guard !perSymbolVenues.isEmpty else { return }
        for place in places where perSymbolVenues[place.venue] != nil { sightingSink.yield(place) }
    }
}
