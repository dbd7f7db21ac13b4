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
            for seed in seeds { state.book.insert(seed, now: now) }
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
        return nil
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
}
