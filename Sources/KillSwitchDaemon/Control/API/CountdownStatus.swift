/// A venue entry's protection by the venue's own countdown cancel-all (`dms`), as `status` shows it.
public struct CountdownStatus: Sendable, Hashable, Codable {
    /// - `armed`: the venue cancels what the countdown reaches at `armedUntil` unless refreshed;
    /// - `partial`: armed, but it does not cover everything (`detail` says what not: HTX above 500 open
    ///   orders, Binance symbols over the budget);
    /// - `failing`: the last refresh failed (`armedUntil`: the last trigger time the venue gave, maybe past);
    /// - `arming`: configured, not armed yet;
    /// - `daemon-only`: no venue countdown (none configured, the venue has none, or nothing is armed);
    /// - `disarmed` / `left-armed`: after a clean stop (`on_stop`).
    public var protection: String
    /// Wall-clock ms (the venue's trigger time where it gives one).
    public var armedUntil: Int64?
    public var detail: String?
    public var consecutiveFailures: Int
    /// Binance: the symbols armed.
    public var symbols: [String]?
    public var lastRefreshAt: Int64?

    public init(protection: String, armedUntil: Int64? = nil, detail: String? = nil, consecutiveFailures: Int = 0, symbols: [String]? = nil,
                lastRefreshAt: Int64? = nil) {
        self.protection = protection
        self.armedUntil = armedUntil
        self.detail = detail
        self.consecutiveFailures = consecutiveFailures
        self.symbols = symbols
        self.lastRefreshAt = lastRefreshAt
    }

    public static let protections = ["armed", "partial", "failing", "arming", "daemon-only", "disarmed", "left-armed"]
}
