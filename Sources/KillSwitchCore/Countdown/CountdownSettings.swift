/// A venue entry's `dms = { timeout, refresh, on_stop, symbols }`: the venue's countdown cancel-all (its
/// dead-man's switch), armed at start and refreshed by the daemon every `refresh`. If the daemon stops
/// refreshing (the host dies, loses its network, or the engine wedges), the venue cancels the orders the
/// countdown reaches `timeout` after the last refresh.
public struct CountdownSettings: Sendable, Hashable {
    /// What a clean stop does.
    public enum OnStop: String, Sendable, Hashable, CaseIterable {
        /// Disarm (timeout 0): a deploy restart must not flatten the desk.
        case disarm
        /// Leave armed: the venue cancels whenever the daemon is down, clean stop included.
        case leave
    }

    /// Whole seconds (Gate and HTX take seconds; at least 5 there).
    public var timeout: Duration
    public var refresh: Duration
    public var onStop: OnStop
    /// Binance COIN-M (per-symbol countdowns): armed from start; every symbol with a tracked open order is
    /// armed too, on first sight.
    public var symbols: [String]

    public static let defaultTimeout: Duration = .seconds(30)
    public static let defaultRefresh: Duration = .seconds(10)
    /// `timeout` must be at least this many refreshes: one late or failed refresh must not let it fire.
    public static let refreshesPerTimeout = 3

    public init(timeout: Duration = defaultTimeout, refresh: Duration = defaultRefresh, onStop: OnStop = .disarm, symbols: [String] = []) {
        self.timeout = timeout
        self.refresh = refresh
        self.onStop = onStop
        self.symbols = symbols
    }

    public var timeoutSeconds: Int { Int(timeout.components.seconds) }

    /// Refreshes per minute (per target: Binance calls once per symbol).
    public var callsPerMinute: Double { 60 / refresh.seconds }
}

extension VenueKind {
    /// Whether the venue offers a countdown cancel-all the daemon can arm (Bitget classic v2 mix has none).
    public var hasCountdown: Bool { self != .bitgetMix }

    /// The least countdown the venue takes (Gate and HTX: 5 s; Binance: any, in ms).
    public var minimumCountdown: Duration {
        switch self {
        case .gateFutures, .gateSpot, .htxSpot: .seconds(5)
        case .binanceCoinM, .bitgetMix: .seconds(1)
        }
    }

    /// Whether the countdown is armed per symbol (Binance) rather than once for what the key reaches.
    public var countdownPerSymbol: Bool { self == .binanceCoinM }

    /// What one countdown without a symbol reaches when it fires (docs/venues.md), for config errors and status.
    public var countdownReach: String {
        switch self {
        case .gateFutures: "every contract of the settle on the venue account"
        case .gateSpot: "every spot market of the venue account, every spot account type (spot, margin, unified: UNVERIFIED, assumed)"
        case .htxSpot: "the whole HTX account (at most 500 orders when it fires)"
        case .binanceCoinM: "each armed symbol of the venue account"
        case .bitgetMix: "nothing (no countdown on classic v2 mix)"
        }
    }
}
