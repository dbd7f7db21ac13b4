import Foundation

/// The admin operations, shared by the HTTP admin API and `VenueSimulator`'s direct methods.
extension SimCore {
    func seed(_ seeds: [SimOrderSeed]) throws(VenueSimError) -> Int {
        for (index, seed) in seeds.enumerated() {
            if let problem = problem(with: seed) { throw VenueSimError("order \(index): \(problem)") }
        }
        var seen = Set<String>()
        for seed in seeds where !seen.insert("\(seed.exchange)|\(seed.id)").inserted {
            throw VenueSimError("order id '\(seed.id)' appears twice for \(seed.exchange)")
        }
        let now = now()
        return try withState(now: now) { state -> Result<Int, VenueSimError> in
            if let duplicate = seeds.first(where: { state.book.contains(exchange: $0.exchange, id: $0.id) }) {
                return .failure(VenueSimError("order id '\(duplicate.id)' already exists on \(duplicate.exchange)"))
            }
            for seed in seeds {
                let owner = accounts.credentials(exchange: seed.exchange, apiKey: seed.apiKey)?.owner ?? "key:\(seed.apiKey)"
                state.book.insert(seed, owner: owner, now: now)
            }
            return .success(seeds.count)
        }.get()
    }

    private func problem(with seed: SimOrderSeed) -> String? {
        guard SimAccount.exchanges.contains(seed.exchange) else {
            return "unknown exchange '\(seed.exchange)' (expected one of \(SimAccount.exchanges.joined(separator: ", ")))"
        }
        let markets = SimMarkets.markets(of: seed.exchange)
        guard markets.contains(seed.market) else {
            return "market '\(seed.market)' does not exist on \(seed.exchange) (expected \(markets.joined(separator: " or ")))"
        }
        if seed.id.isEmpty { return "id must not be empty" }
        if seed.symbol.isEmpty { return "symbol must not be empty" }
        guard ["buy", "sell"].contains(seed.side.lowercased()) else { return "side must be buy or sell, got '\(seed.side)'" }
        guard Double(seed.price) != nil else { return "price '\(seed.price)' is not a number" }
        guard let quantity = Double(seed.quantity), quantity > 0 else { return "quantity '\(seed.quantity)' is not a positive number" }
        if let settle = seed.settle, !["btc", "usdt"].contains(settle.lowercased()) {
            return "settle must be btc or usdt, got '\(settle)'"
        }
        if let productType = seed.productType,
            !["USDT-FUTURES", "COIN-FUTURES", "USDC-FUTURES"].contains(productType.uppercased())
        {
            return "productType must be USDT-FUTURES, COIN-FUTURES or USDC-FUTURES, got '\(productType)'"
        }
        guard accounts.credentials(exchange: seed.exchange, apiKey: seed.apiKey) != nil else {
            return "apiKey '\(seed.apiKey)' is not an account of \(seed.exchange)"
        }
        if let account = seed.account {
            guard seed.exchange == "gate", seed.market == "spot" else { return "account is a Gate spot field (spot, margin, cross_margin or unified)" }
            guard GateSpotAccounts.all.contains(account.lowercased()) else {
                return "account must be one of \(GateSpotAccounts.all.joined(separator: ", ")), got '\(account)'"
            }
        }
        if let origin = seed.origin, origin.isEmpty { return "origin must not be empty (omit it for an API order)" }
        if let filled = seed.filledQuantity {
            guard let value = Double(filled), value >= 0, value < quantity else {
                return "filledQuantity '\(filled)' must be a number from 0 up to (not including) quantity \(seed.quantity)"
            }
        }
        return nil
    }

    /// Fills part of an open order (half of what is left, or `quantity`), keeping it open: a partial fill.
    func fill(exchange: String, id: String, quantity: String?) throws(VenueSimError) -> SimOrderView {
        guard SimAccount.exchanges.contains(exchange) else { throw VenueSimError("unknown exchange '\(exchange)'") }
        var amount: Decimal?
        if let quantity {
            guard let value = Decimal(string: quantity), value > 0 else { throw VenueSimError("quantity '\(quantity)' is not a positive number") }
            amount = value
        }
        let now = now()
        return try withState(now: now) { state -> Result<SimOrderView, VenueSimError> in
            guard var order = state.book.order(exchange: exchange, id: id) else {
                return .failure(VenueSimError("no order '\(id)' on \(exchange)"))
            }
            guard order.status(at: now) == .open else { return .failure(VenueSimError("order '\(id)' is not open")) }
            if let amount {
                guard order.filled + amount < order.record.quantityValue else {
                    return .failure(VenueSimError("quantity would fill the whole order (a partial fill leaves part of it open)"))
                }
                order.fill(amount)
            } else {
                order.fillPart()
            }
            state.book.update(order)
            return .success(order.view(at: now))
        }.get()
    }

    func orders(exchange: String?, market: String?, status: String?) throws(VenueSimError) -> [SimOrderView] {
        if let exchange, !SimAccount.exchanges.contains(exchange) { throw VenueSimError("unknown exchange '\(exchange)'") }
        if let market, !["spot", "futures"].contains(market) { throw VenueSimError("market must be spot or futures, got '\(market)'") }
        let wanted = status ?? "all"
        guard ["open", "cancelled", "filled", "all"].contains(wanted) else {
            throw VenueSimError("status must be open, cancelled, filled or all, got '\(wanted)'")
        }
        let now = now()
        return withState(now: now) { state in
            state.book.select(exchange: exchange) { market == nil || $0.market == market }
                .map { $0.view(at: now) }
                .filter { wanted == "all" || $0.status == wanted }
        }
    }

    func requests(since: Int) -> [SimRequestLogEntry] {
        withState(now: now()) { $0.log.entries(since: since) }
    }

    func setFaults(_ faults: SimFaults) throws(VenueSimError) {
        if let problem = faults.problem() { throw VenueSimError(problem) }
        withState(now: now()) { $0.faults.set(faults) }
    }

    func faults() -> [SimFaults] {
        withState(now: now()) { $0.faults.all }
    }

    func clearFaults() {
        withState(now: now()) { $0.faults.removeAll() }
    }

    func reset() {
        withState(now: now()) { $0.reset() }
    }

    func setRateLimits(enabled: Bool) {
        withState(now: now()) { $0.limiter.enabled = enabled; $0.limiter.reset() }
    }

    func addRateLimitOverride(_ override: SimRateLimitOverride) throws(VenueSimError) {
        guard SimAccount.exchanges.contains(override.exchange) else { throw VenueSimError("unknown exchange '\(override.exchange)'") }
        if let market = override.market, !SimMarkets.markets(of: override.exchange).contains(market) {
            throw VenueSimError("market '\(market)' does not exist on \(override.exchange)")
        }
        if let capacity = override.capacity, !(capacity > 0) { throw VenueSimError("capacity must be positive") }
        if let windowMs = override.windowMs, windowMs <= 0 { throw VenueSimError("windowMs must be positive") }
        withState(now: now()) { state in
            state.limiter.overrides.removeAll { $0.exchange == override.exchange && $0.market == override.market }
            state.limiter.overrides.append(override)
        }
    }

    func rateLimitSettings() -> (enabled: Bool, overrides: [SimRateLimitOverride]) {
        withState(now: now()) { ($0.limiter.enabled, $0.limiter.overrides) }
    }

    func clearRateLimitOverrides() {
        withState(now: now()) { $0.limiter.overrides = [] }
    }

    // MARK: Arrivals (the strict count, read back from the request log)

    /// Per rate-limit key seen in the log: the busiest window of the key's own published window (overrides
    /// applied), against its limit.
    func arrivalSummaries(since: Int, admittedOnly: Bool) -> [SimArrivalSummary] {
        let (entries, rules) = withState(now: now()) { ($0.log.entries(since: since), $0.limiter.rules) }
        var byKey: [String: [SimRequestLogEntry]] = [:]
        for entry in entries {
            guard let key = entry.limitKey else { continue }
            if admittedOnly, SimArrivals.isRefused(entry) { continue }
            byKey[key, default: []].append(entry)
        }
        return byKey.keys.sorted().map { key in
            let rule = rules[key]
            let parts = key.split(separator: "|", maxSplits: 2).map(String.init)
            var filter = SimArrivalFilter(limitKey: key, since: since, admittedOnly: admittedOnly)
            filter.exchange = parts.first
            filter.market = parts.count > 1 ? parts[1] : nil
            return SimArrivals.summarize(byKey[key] ?? [], filter: filter, windowMs: rule?.windowMs ?? 1_000, limit: rule?.capacity)
        }
    }

    /// The busiest window over the entries `filter` selects; `windowMs` defaults to the published window of
    /// `filter.limitKey` (required when no key is given).
    func arrivals(_ filter: SimArrivalFilter, windowMs: Int64?) throws(VenueSimError) -> SimArrivalSummary {
        let (entries, rules) = withState(now: now()) { ($0.log.entries(since: filter.since), $0.limiter.rules) }
        let rule = filter.limitKey.flatMap { rules[$0] }
        guard let window = windowMs ?? rule?.windowMs else {
            throw VenueSimError("windowMs is required unless key names a rate-limit key the simulator has counted")
        }
        guard window > 0 else { throw VenueSimError("windowMs must be positive") }
        return SimArrivals.summarize(entries.filter(filter.matches), filter: filter, windowMs: window, limit: rule?.capacity)
    }

    // MARK: Binance bans

    /// Bans a Binance peer IP (`*`, the default, every IP) for `durationMs` of simulator time.
    func banBinance(ip: String?, durationMs: Int64) throws(VenueSimError) -> [SimBan] {
        guard durationMs >= 0 else { throw VenueSimError("durationMs must not be negative") }
        let now = now()
        return withState(now: now) { state in
            state.bans.ban(ip: ip ?? "*", until: now + durationMs)
            return state.bans.active(now: now).map { SimBan(ip: $0.ip, untilMs: $0.untilMs) }
        }
    }

    func binanceBans() -> [SimBan] {
        let now = now()
        return withState(now: now) { $0.bans.active(now: now).map { SimBan(ip: $0.ip, untilMs: $0.untilMs) } }
    }

    func liftBinanceBans() {
        withState(now: now()) { $0.bans.removeAll() }
    }

    // MARK: Countdowns

    func countdowns() -> [SimCountdownView] {
        withState(now: now()) { state in
            state.countdowns.all.map {
                SimCountdownView(
                    exchange: $0.exchange, market: $0.market, owner: $0.owner, settle: $0.settle, symbol: $0.symbol,
                    deadlineMs: $0.deadlineMs, armedByRequestId: $0.armedByRequestId, maxOrders: $0.maxOrders,
                    accounts: $0.accounts.map { $0.sorted() }
                )
            }
        }
    }
}

/// A Binance IP ban in force: `ip` (`*` = every IP) until `untilMs` (simulator clock).
public struct SimBan: Sendable, Codable, Hashable {
    public var ip: String
    public var untilMs: Int64
}

/// An armed countdown (dead-man switch). `owner` is the venue account (`uid:N`, or `key:K` for a key without
/// uid); `symbol` nil covers every symbol/contract/pair of the scope; `accounts` the Gate spot account types
/// reached (nil = all).
public struct SimCountdownView: Sendable, Codable, Hashable {
    public var exchange: String
    public var market: String
    public var owner: String
    public var settle: String?
    public var symbol: String?
    public var deadlineMs: Int64
    public var armedByRequestId: Int
    public var maxOrders: Int?
    public var accounts: [String]?
}
