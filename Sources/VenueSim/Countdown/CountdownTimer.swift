import Foundation

/// An armed dead-man switch: when the simulator clock passes `deadlineMs` without a refresh, the account's
/// open orders in scope are cancelled (as of `deadlineMs`), oldest first. A countdown belongs to the venue
/// account (uid), whichever of its keys armed it; arming again with the same scope replaces it (a refresh),
/// timeout 0 disarms it.
///
/// Scopes, from the venue pages (docs/venues.md):
/// - Gate futures `countdown_cancel_all`: the settle, one `contract` or (without it) every contract of it;
/// - Gate spot `countdown_cancel_all`: one `currency_pair` or every market; which spot account types it
///   reaches is UNVERIFIED (`SimCompatibility.gateSpotCountdownCoversAllAccounts`, default all of them);
/// - HTX `cancel-all-after`: the whole account's spot orders, at most 500 of them when it fires;
/// - Binance `countdownCancelAll`: one symbol.
struct CountdownTimer: Sendable {
    let exchange: String
    let market: String
    let owner: String
    /// Gate futures settle currency the timer covers.
    let settle: String?
    /// Contract / currency pair / symbol the timer is limited to; nil = every symbol in the market.
    let symbol: String?
    let deadlineMs: Int64
    let armedByRequestId: Int
    /// HTX's cancel-all-after cancels at most 500 orders.
    let maxOrders: Int?
    /// Gate spot account types covered (nil = any).
    var accounts: Set<String>? = nil

    var key: String {
        "\(exchange)|\(market)|\(owner)|\(settle ?? "")|\(symbol?.lowercased() ?? "")"
    }

    func covers(_ order: SimOrder) -> Bool {
        guard order.exchange == exchange, order.market == market, order.owner == owner else { return false }
        if let accounts, !accounts.contains(order.account ?? "spot") { return false }
        if let settle, order.settle != settle { return false }
        if let symbol, order.symbol.caseInsensitiveCompare(symbol) != .orderedSame { return false }
        return true
    }
}

/// The armed timers. Firing is evaluated lazily whenever state is read or changed, against the simulator
/// clock, so an advanced `ManualSimClock` fires them exactly at their deadline without real timers.
struct CountdownTable: Sendable {
    private var timers: [String: CountdownTimer] = [:]
    private var earliestDeadline: Int64 = .max

    mutating func arm(_ timer: CountdownTimer) {
        timers[timer.key] = timer
        earliestDeadline = min(earliestDeadline, timer.deadlineMs)
    }

    mutating func disarm(key: String) {
        timers[key] = nil
        earliestDeadline = timers.values.map(\.deadlineMs).min() ?? .max
    }

    /// Removes and returns the timers due at `now`, earliest first.
    mutating func takeDue(now: Int64) -> [CountdownTimer] {
        guard now >= earliestDeadline else { return [] }
        let due = timers.values.filter { $0.deadlineMs <= now }.sorted { $0.deadlineMs < $1.deadlineMs }
        for timer in due { timers[timer.key] = nil }
        earliestDeadline = timers.values.map(\.deadlineMs).min() ?? .max
        return due
    }

    mutating func removeAll() {
        timers = [:]
        earliestDeadline = .max
    }

    /// The armed timers, earliest deadline first.
    var all: [CountdownTimer] {
        timers.values.sorted { ($0.deadlineMs, $0.key) < ($1.deadlineMs, $1.key) }
    }
}
