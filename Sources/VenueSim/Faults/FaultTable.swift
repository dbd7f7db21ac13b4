/// The faults in force for one request's exchange/market (all zero when none are set).
struct ActiveFaults: Sendable {
    var partialFailureRate: Double = 0
    var fillWhileCancellingRate: Double = 0
    var partialFillRate: Double = 0
    var partialFillOrderIds: Set<String> = []
    var forceRateLimit = false

    static let none = ActiveFaults()
}

/// What the dice decided for a request before the venue looks at it.
struct FaultRoll: Sendable {
    enum Outcome: Sendable {
        case proceed
        case serverError
        case timeout
        case reset
    }

    var outcome: Outcome = .proceed
    var malformed = false
    var delayMs = 0
    var active = ActiveFaults.none
}

/// Fault sets keyed by exchange and optional market; a market-specific set wins over an exchange-wide one.
struct FaultTable: Sendable {
    private var sets: [String: SimFaults] = [:]

    private static func key(_ exchange: String, _ market: String?) -> String {
        "\(exchange)|\(market ?? "*")"
    }

    mutating func set(_ faults: SimFaults) {
        sets[Self.key(faults.exchange, faults.market)] = faults
    }

    mutating func removeAll() {
        sets = [:]
    }

    var all: [SimFaults] {
        sets.keys.sorted().compactMap { sets[$0] }
    }

    func faults(exchange: String, market: String) -> SimFaults? {
        sets[Self.key(exchange, market)] ?? sets[Self.key(exchange, nil)]
    }

    /// Rolls the request-level dice in a fixed order so a seeded run repeats.
    func roll(
        exchange: String, market: String, defaultLatencyMs: Int, defaultJitterMs: Int,
        random: inout SeededRandom
    ) -> FaultRoll {
        var roll = FaultRoll()
        // No fault set at all (the usual case): no key building or lookups; the same draws as below.
        if sets.isEmpty {
            roll.delayMs = defaultLatencyMs + (defaultJitterMs > 0 ? Int(random.next() % UInt64(defaultJitterMs + 1)) : 0)
            return roll
        }
        let faults = faults(exchange: exchange, market: market)
        let latency = faults?.latencyMs ?? defaultLatencyMs
        let jitter = faults?.jitterMs ?? defaultJitterMs
        roll.delayMs = latency + (jitter > 0 ? Int(random.next() % UInt64(jitter + 1)) : 0)
        guard let faults else { return roll }
        roll.active = ActiveFaults(
            partialFailureRate: faults.partialFailureRate,
            fillWhileCancellingRate: faults.fillWhileCancellingRate,
            partialFillRate: faults.partialFillRate,
            partialFillOrderIds: Set(faults.partialFillOrderIds),
            forceRateLimit: faults.forceRateLimit
        )
        if faults.errorRate + faults.timeoutRate + faults.resetRate > 0 {
            let draw = random.unit()
            if draw < faults.errorRate {
                roll.outcome = .serverError
            } else if draw < faults.errorRate + faults.timeoutRate {
                roll.outcome = .timeout
            } else if draw < faults.errorRate + faults.timeoutRate + faults.resetRate {
                roll.outcome = .reset
            }
        }
        if faults.malformedRate > 0, roll.outcome == .proceed {
            roll.malformed = random.unit() < faults.malformedRate
        }
        return roll
    }
}
