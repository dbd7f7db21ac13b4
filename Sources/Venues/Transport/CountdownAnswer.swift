import KillSwitchCore

/// What a venue's countdown cancel-all answer says about when it will fire (docs/venues.md): Gate
/// `{"triggerTime": ms}` (an integer, or a string in the doc's example), HTX
/// `{"code": 200, "data": {"currentTime", "triggerTime"}}` (0 once disarmed), Binance
/// `{"symbol", "countdownTime": "ms"}` — no trigger time, only the countdown it took.
public enum CountdownAnswer {
    /// The venue's trigger time (venue clock, ms), when the answer carries one; nil for Binance or an answer
    /// without it.
    public static func triggerTime(kind: VenueKind, body: String) -> Int64? {
        guard let json = JSONValue.parse(body) else { return nil }
        switch kind {
        case .gateFutures, .gateSpot: return json["triggerTime"]?.int64
        case .htxSpot: return json["data"]?["triggerTime"]?.int64
        case .binanceCoinM, .bitgetMix: return nil
        }
    }

    /// Binance's echo of the countdown it took (ms), to check it took ours.
    public static func countdownTime(body: String) -> Int64? {
        JSONValue.parse(body)?["countdownTime"]?.int64
    }
}
