/// Faults for one exchange (or one of its markets when `market` is set), as posted to `POST /_sim/faults`.
///
/// Rates are probabilities in 0...1, drawn from the seeded generator so runs repeat:
/// - `errorRate`: answer the venue's 5xx without acting;
/// - `timeoutRate`: never answer (the connection is closed after `timeoutFaultHoldMs`);
/// - `resetRate`: close the connection (TCP reset) without answering or acting;
/// - `malformedRate`: act, then answer 200 with a truncated body (the client cannot know what happened);
/// - `partialFailureRate`: per open order in a cancel, fail it with the venue's retryable code;
/// - `fillWhileCancellingRate`: per open order in a cancel, the order fills first (the already-filled answer);
/// - `partialFillRate`: per open order in a cancel, half of what is left fills instead of the cancel taking:
///   the order stays open, partially filled (Bitget `partially_filled`), and the id fails with the venue's
///   retryable per-order answer; `partialFillOrderIds` does the same to those ids, once each (the next
///   cancel of the id proceeds normally);
/// - `forceRateLimit`: refuse every rate-limited request the venue's way.
/// `latencyMs`/`jitterMs`, when set, replace the configured delay for this exchange/market.
public struct SimFaults: Sendable, Codable, Hashable {
    public var exchange: String
    public var market: String?
    public var latencyMs: Int?
    public var jitterMs: Int?
    public var errorRate: Double
    public var timeoutRate: Double
    public var resetRate: Double
    public var malformedRate: Double
    public var partialFailureRate: Double
    public var fillWhileCancellingRate: Double
    public var partialFillRate: Double
    public var partialFillOrderIds: [String]
    public var forceRateLimit: Bool

    public init(
        exchange: String,
        market: String? = nil,
        latencyMs: Int? = nil,
        jitterMs: Int? = nil,
        errorRate: Double = 0,
        timeoutRate: Double = 0,
        resetRate: Double = 0,
        malformedRate: Double = 0,
        partialFailureRate: Double = 0,
        fillWhileCancellingRate: Double = 0,
        partialFillRate: Double = 0,
        partialFillOrderIds: [String] = [],
        forceRateLimit: Bool = false
    ) {
        self.exchange = exchange
        self.market = market
        self.latencyMs = latencyMs
        self.jitterMs = jitterMs
        self.errorRate = errorRate
        self.timeoutRate = timeoutRate
        self.resetRate = resetRate
        self.malformedRate = malformedRate
        self.partialFailureRate = partialFailureRate
        self.fillWhileCancellingRate = fillWhileCancellingRate
        self.partialFillRate = partialFillRate
        self.partialFillOrderIds = partialFillOrderIds
        self.forceRateLimit = forceRateLimit
    }

    enum CodingKeys: String, CodingKey {
        case exchange, market, latencyMs, jitterMs, errorRate, timeoutRate, resetRate, malformedRate
        case partialFailureRate, fillWhileCancellingRate, partialFillRate, partialFillOrderIds, forceRateLimit
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        exchange = try container.decode(String.self, forKey: .exchange)
        market = try container.decodeIfPresent(String.self, forKey: .market)
        latencyMs = try container.decodeIfPresent(Int.self, forKey: .latencyMs)
        jitterMs = try container.decodeIfPresent(Int.self, forKey: .jitterMs)
        errorRate = try container.decodeIfPresent(Double.self, forKey: .errorRate) ?? 0
        timeoutRate = try container.decodeIfPresent(Double.self, forKey: .timeoutRate) ?? 0
        resetRate = try container.decodeIfPresent(Double.self, forKey: .resetRate) ?? 0
        malformedRate = try container.decodeIfPresent(Double.self, forKey: .malformedRate) ?? 0
        partialFailureRate = try container.decodeIfPresent(Double.self, forKey: .partialFailureRate) ?? 0
        fillWhileCancellingRate = try container.decodeIfPresent(Double.self, forKey: .fillWhileCancellingRate) ?? 0
        partialFillRate = try container.decodeIfPresent(Double.self, forKey: .partialFillRate) ?? 0
        partialFillOrderIds = try container.decodeIfPresent([String].self, forKey: .partialFillOrderIds) ?? []
        forceRateLimit = try container.decodeIfPresent(Bool.self, forKey: .forceRateLimit) ?? false
    }

    /// Why this fault set cannot be accepted, or nil.
    func problem() -> String? {
        guard SimAccount.exchanges.contains(exchange) else {
            return "unknown exchange '\(exchange)' (expected one of \(SimAccount.exchanges.joined(separator: ", ")))"
        }
        if let market, !SimMarkets.markets(of: exchange).contains(market) {
            return "market '\(market)' does not exist on \(exchange) (expected \(SimMarkets.markets(of: exchange).joined(separator: " or ")))"
        }
        let rates: [(String, Double)] = [
            ("errorRate", errorRate), ("timeoutRate", timeoutRate), ("resetRate", resetRate),
            ("malformedRate", malformedRate), ("partialFailureRate", partialFailureRate),
            ("fillWhileCancellingRate", fillWhileCancellingRate), ("partialFillRate", partialFillRate),
        ]
        for (name, rate) in rates where !(0...1).contains(rate) {
            return "\(name) must be between 0 and 1, got \(rate)"
        }
        if errorRate + timeoutRate + resetRate > 1 {
            return "errorRate + timeoutRate + resetRate must not exceed 1"
        }
        if let latencyMs, latencyMs < 0 { return "latencyMs must not be negative" }
        if let jitterMs, jitterMs < 0 { return "jitterMs must not be negative" }
        return nil
    }
}

/// Which markets each exchange has in the simulator.
enum SimMarkets {
    static func markets(of exchange: String) -> [String] {
        switch exchange {
        case "gate": return ["spot", "futures"]
        case "htx": return ["spot"]
        case "bitget", "binance": return ["futures"]
        default: return []
        }
    }
}
