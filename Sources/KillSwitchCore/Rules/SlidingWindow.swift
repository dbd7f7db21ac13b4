/// Counts events in a sliding window ending now: an event at `t` counts at `now` while
/// `now − t < window`, i.e. the window is `(now − window, now]` — an event exactly one window old has
/// left it. Memory is bounded twice: entries older than the window are dropped, and at most `cap`
/// entries (the newest) are kept, so a count saturates at `cap` (callers pass `max + 1`: enough to know
/// "more than max").
public struct SlidingWindowCounter<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public let window: Duration
    public let cap: Int
    private var times: [Instant] = []
    private var head = 0

    public init(window: Duration, cap: Int) {
        precondition(window > .zero && cap > 0, "window and cap must be positive")
        self.window = window
        self.cap = cap
    }

    public var isEmpty: Bool { head == times.count }

    /// Records an event at `instant` and returns the count at `instant`.
    @discardableResult
    public mutating func record(at instant: Instant) -> Int {
        if let last = times.last, instant < last {
            // Out of order (should not happen on a monotonic clock): keep the list sorted.
            let index = times[head...].firstIndex { $0 > instant } ?? times.endIndex
            times.insert(instant, at: index)
        } else {
            times.append(instant)
        }
        if times.count - head > cap { head = times.count - cap }
        return count(at: instant)
    }

    /// The count in the window ending at `instant` (drops what has left it).
    public mutating func count(at instant: Instant) -> Int {
        while head < times.count, times[head].duration(to: instant) >= window { head += 1 }
        if head > 64 && head * 2 > times.count {
            times.removeFirst(head)
            head = 0
        }
        return times[head...].prefix { $0 <= instant }.count
    }

    /// Entries currently held (for the memory bound).
    public var storedCount: Int { times.count }
}

/// The key an `order-rate` rule counts under.
public struct OrderRateKey: Sendable, Hashable, CustomStringConvertible {
    public var venue: String
    public var account: String
    /// Set when the rule counts per account and symbol.
    public var symbol: String?

    public init(venue: String, account: String, symbol: String?) {
        self.venue = venue
        self.account = account
        self.symbol = symbol
    }

    public var scope: Scope { Scope(venue: venue, account: account, symbol: symbol) }
    public var description: String { scope.description }
}

/// The `order-rate` rule: more than `maxOrders` new orders in any sliding window of `window`, per account
/// (venue + account) or per account and symbol. Fed with the daemon's monotonic receive instants of
/// new-order events; evaluated on each.
public struct OrderRateMonitor<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public let ruleId: String
    public let maxOrders: Int
    public let window: Duration
    public let per: OrderRateGrouping
    private var counters: [OrderRateKey: SlidingWindowCounter<Instant>] = [:]

    public init(ruleId: String, maxOrders: Int, window: Duration, per: OrderRateGrouping) {
        self.ruleId = ruleId
        self.maxOrders = maxOrders
        self.window = window
        self.per = per
    }

    public init?(rule: RuleDefinition) {
        guard case let .orderRate(maxOrders, window, per) = rule.kind else { return nil }
        self.init(ruleId: rule.id, maxOrders: maxOrders, window: window, per: per)
    }

    /// Counts a new order and answers for its key.
    public mutating func recordNewOrder(venue: String, account: String, symbol: String, at instant: Instant) -> RuleEvaluation {
        let key = OrderRateKey(venue: venue, account: account, symbol: per == .accountSymbol ? symbol : nil)
        var counter = counters[key] ?? SlidingWindowCounter(window: window, cap: maxOrders + 1)
        let count = counter.record(at: instant)
        counters[key] = counter
        return evaluation(key: key, count: count)
    }

    /// The busiest key at `instant` (drops keys whose windows emptied).
    public mutating func evaluate(at instant: Instant) -> RuleEvaluation {
        var busiest: (OrderRateKey, Int)?
        for key in Array(counters.keys) {
            let count = counters[key]!.count(at: instant)
            if count == 0 && counters[key]!.isEmpty {
                counters[key] = nil
                continue
            }
            if busiest.map({ count > $0.1 }) ?? true { busiest = (key, count) }
        }
        guard let (key, count) = busiest else {
            return RuleEvaluation(ruleId: ruleId, fired: false, value: "0", threshold: String(maxOrders),
                                  reason: "0 new orders in \(DurationText.format(window)), limit \(maxOrders) (\(ruleId))",
                                  measures: [RuleMeasure(name: "new_orders", value: 0, threshold: Double(maxOrders))])
        }
        return evaluation(key: key, count: count)
    }

    /// The count for the key a tripped scope names (venue, account and, per account and symbol, symbol); for
    /// a wider scope, the busiest key inside it.
    public mutating func evaluate(in scope: Scope, at instant: Instant) -> RuleEvaluation {
        var busiest: (OrderRateKey, Int)?
        for key in Array(counters.keys) where scope.contains(venue: key.venue, account: key.account, symbol: key.symbol ?? scope.symbol ?? "") {
            let count = counters[key]!.count(at: instant)
            if busiest.map({ count > $0.1 }) ?? true { busiest = (key, count) }
        }
        guard let (key, count) = busiest else {
            return RuleEvaluation(ruleId: ruleId, fired: false, value: "0", threshold: String(maxOrders),
                                  reason: "0 new orders in \(DurationText.format(window)) in \(scope), limit \(maxOrders) (\(ruleId))", scope: scope,
                                  measures: [RuleMeasure(name: "new_orders", value: 0, threshold: Double(maxOrders))])
        }
        return evaluation(key: key, count: count)
    }

    /// Keys currently tracked (for the memory bound).
    public var trackedKeys: Int { counters.count }

    private func evaluation(key: OrderRateKey, count: Int) -> RuleEvaluation {
        let fired = count > maxOrders
        let shown = fired ? "more than \(maxOrders)" : String(count)
        return RuleEvaluation(
            ruleId: ruleId, fired: fired, value: String(count), threshold: String(maxOrders),
            reason: "\(shown) new orders in \(DurationText.format(window)) on \(key), limit \(maxOrders) (\(ruleId))",
            scope: key.scope, measures: [RuleMeasure(name: "new_orders", value: Double(count), threshold: Double(maxOrders))])
    }
}

/// The `reject-storm` rule: more than `maxRejects` venue rejects in any sliding window of `window`.
public struct RejectStormMonitor<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    public let ruleId: String
    public let maxRejects: Int
    public let window: Duration
    private var counter: SlidingWindowCounter<Instant>

    public init(ruleId: String, maxRejects: Int, window: Duration) {
        self.ruleId = ruleId
        self.maxRejects = maxRejects
        self.window = window
        counter = SlidingWindowCounter(window: window, cap: maxRejects + 1)
    }

    public init?(rule: RuleDefinition) {
        guard case let .rejectStorm(maxRejects, window) = rule.kind else { return nil }
        self.init(ruleId: rule.id, maxRejects: maxRejects, window: window)
    }

    public mutating func recordReject(at instant: Instant) -> RuleEvaluation {
        evaluation(count: counter.record(at: instant))
    }

    public mutating func evaluate(at instant: Instant) -> RuleEvaluation {
        evaluation(count: counter.count(at: instant))
    }

    private func evaluation(count: Int) -> RuleEvaluation {
        let fired = count > maxRejects
        let shown = fired ? "more than \(maxRejects)" : String(count)
        return RuleEvaluation(
            ruleId: ruleId, fired: fired, value: String(count), threshold: String(maxRejects),
            reason: "\(shown) venue rejects in \(DurationText.format(window)), limit \(maxRejects) (\(ruleId))",
            measures: [RuleMeasure(name: "rejects", value: Double(count), threshold: Double(maxRejects))])
    }
}
