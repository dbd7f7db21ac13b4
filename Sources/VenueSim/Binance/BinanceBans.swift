/// Binance's IP bans (docs/venues.md 4c: "repeated abuse ⇒ HTTP 418 IP ban, 2 min up to 3 days"): an IP that
/// keeps sending after its 429s is banned, and every request from it answers 418 until the ban ends.
///
/// Model: after `refusalsBeforeBan` weight refusals (429) within `refusalWindowMs`, the IP is banned for
/// `banDurationMs` (each further ban of the same IP doubles, up to 3 days, as Binance says bans lengthen for
/// repeat offenders; the exact escalation is UNVERIFIED). Requests during a ban count neither weight nor
/// refusals. `forceRateLimit` refusals are not counted (a fault, not the IP's own traffic). An admin ban
/// (`POST /_sim/bans`) bans one IP, or every IP (`*`), for a given time.
struct BinanceBans: Sendable {
    let refusalsBeforeBan: Int
    let refusalWindowMs: Int64
    let banDurationMs: Int64
    /// IP (or `*`) → ban end, epoch ms (simulator clock).
    private(set) var until: [String: Int64] = [:]
    private var refusals: [String: [Int64]] = [:]
    private var banCount: [String: Int] = [:]

    static let maxBanMs: Int64 = 3 * 24 * 3_600_000

    init(refusalsBeforeBan: Int, refusalWindowMs: Int64, banDurationMs: Int64) {
        self.refusalsBeforeBan = refusalsBeforeBan
        self.refusalWindowMs = refusalWindowMs
        self.banDurationMs = banDurationMs
    }

    /// The end of the ban in force for `ip` at `now`, or nil.
    func banEnd(ip: String, now: Int64) -> Int64? {
        let end = max(until[ip] ?? .min, until["*"] ?? .min)
        return end > now ? end : nil
    }

    /// Records a 429 for `ip`; returns the ban end when this refusal earns a ban.
    mutating func recordRefusal(ip: String, now: Int64) -> Int64? {
        guard refusalsBeforeBan > 0 else { return nil }
        var times = refusals[ip, default: []].filter { $0 > now - refusalWindowMs }
        times.append(now)
        guard times.count >= refusalsBeforeBan else {
            refusals[ip] = times
            return nil
        }
        refusals[ip] = []
        let count = banCount[ip, default: 0]
        banCount[ip] = count + 1
        let duration = min(Self.maxBanMs, banDurationMs << min(count, 20))
        let end = now + duration
        until[ip] = max(until[ip] ?? .min, end)
        return end
    }

    /// Bans `ip` (`*` = every IP) until `end`.
    mutating func ban(ip: String, until end: Int64) {
        until[ip] = end
    }

    /// The bans in force at `now`.
    func active(now: Int64) -> [(ip: String, untilMs: Int64)] {
        until.filter { $0.value > now }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    mutating func removeAll() {
        until = [:]
        refusals = [:]
        banCount = [:]
    }
}
