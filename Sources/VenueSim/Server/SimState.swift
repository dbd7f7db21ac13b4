/// All mutable simulator state, guarded by one lock in `SimCore`.
struct SimState: Sendable {
    var book = OrderBook()
    var limiter: RateLimiter
    var faults = FaultTable()
    var random: SeededRandom
    var countdowns = CountdownTable()
    var log: RequestLog
    var bans: BinanceBans
    /// `exchange|id` of the `partialFillOrderIds` already applied (each applies once).
    var partialFillsDone: Set<String> = []

    init(configuration: VenueSimConfiguration) {
        limiter = RateLimiter(
            enabled: configuration.rateLimitsEnabled,
            overrides: configuration.rateLimitOverrides,
            toleranceMs: configuration.rateLimitToleranceMs
        )
        random = SeededRandom(seed: configuration.seed)
        log = RequestLog(capacity: configuration.requestLogCapacity)
        bans = BinanceBans(
            refusalsBeforeBan: configuration.binanceBanAfterRefusals, refusalWindowMs: configuration.binanceBanRefusalWindowMs,
            banDurationMs: configuration.binanceBanDurationMs
        )
    }

    /// Applies the time-based effects due by `now` (countdowns firing). HTX's delayed removal needs no
    /// step: an order's listed status is computed from the clock on every read. Every venue request and every
    /// admin read passes here, so a countdown that expired while nobody called is applied (as of its deadline)
    /// before anything can observe the book.
    mutating func advance(to now: Int64) {
        for timer in countdowns.takeDue(now: now) {
            var cancelled = 0
            for var order in book.select(exchange: timer.exchange, where: { timer.covers($0) && $0.status(at: timer.deadlineMs) == .open }) {
                if let maxOrders = timer.maxOrders, cancelled >= maxOrders { break }
                order.state = .cancelled(
                    atMs: timer.deadlineMs, visibleUntilMs: timer.deadlineMs, requestId: timer.armedByRequestId, by: "countdown"
                )
                book.update(order)
                cancelled += 1
            }
        }
    }

    /// Cancels one order the venue's way, rolling the per-order faults.
    mutating func cancel(_ found: SimOrder?, context: CancelContext) -> CancelVerdict {
        guard var order = found else { return .notFound }
        switch order.status(at: context.now) {
        case .filled: return .alreadyFilled(order)
        case .cancelled: return .alreadyCancelled(order)
        case .cancelling: return .cancelling(order)
        case .open: break
        }
        if context.faults.fillWhileCancellingRate > 0, random.unit() < context.faults.fillWhileCancellingRate {
            order.state = .filled(atMs: context.now)
            book.update(order)
            return .filledWhileCancelling(order)
        }
        if !context.faults.partialFillOrderIds.isEmpty, context.faults.partialFillOrderIds.contains(order.id),
            partialFillsDone.insert("\(order.exchange)|\(order.id)").inserted
        {
            order.fillPart()
            book.update(order)
            return .partiallyFilled(order)
        }
        if context.faults.partialFillRate > 0, random.unit() < context.faults.partialFillRate {
            order.fillPart()
            book.update(order)
            return .partiallyFilled(order)
        }
        if context.faults.partialFailureRate > 0, random.unit() < context.faults.partialFailureRate {
            return .retryableFailure(order)
        }
        order.state = .cancelled(
            atMs: context.now, visibleUntilMs: context.now + context.removalDelayMs, requestId: context.requestId, by: "request"
        )
        book.update(order)
        return .cancelled(order)
    }

    mutating func reset() {
        book.removeAll()
        faults.removeAll()
        countdowns.removeAll()
        log.removeAll()
        limiter.reset()
        bans.removeAll()
        partialFillsDone = []
    }
}
