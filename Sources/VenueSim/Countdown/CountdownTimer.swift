import Foundation

/// An armed dead-man switch: when the simulator clock passes `deadlineMs` without a refresh, the account's
/// open orders in scope are cancelled (as of `deadlineMs`).
struct CountdownTimer: Sendable {
    let exchange: String
    let market: String
    let apiKey: String
    /// Gate futures settle currency the timer covers.
    let settle: String?
    /// Contract / currency pair / symbol the timer is limited to; nil = every symbol in the market.
    let symbol: String?
    let deadlineMs: Int64
    let armedByRequestId: Int
    /// HTX's cancel-all-after cancels at most 500 orders.
    let maxOrders: Int?

    var key: String {
        "\(exchange)|\(market)|\(apiKey)|\(settle ?? "")|\(symbol ?? "")"
    }

    func covers(_ order: SimOrder) -> Bool {
        guard order.exchange == exchange, order.market == market, order.apiKey == apiKey else { return false }
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
}
