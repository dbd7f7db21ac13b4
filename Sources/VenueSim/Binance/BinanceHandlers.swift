import Foundation

/// Binance COIN-M handlers.
struct BinanceHandlers {
    static let maxBatch = 10

    /// `DELETE /dapi/v1/batchOrders?symbol=&orderIdList=[1,2]` (or `origClientOrderIdList=["a"]`), ≤ 10;
    /// the answer is in request order, each an order or `{"code": -2011, "msg": "Unknown order sent."}`.
    func batchCancel(
        _ request: VenueRequest, parameters: BinanceParameters, core: SimCore, faults: ActiveFaults, admitted: Admitted?
    ) -> VenueReply {
        guard let admitted else { return BinanceErrors.mandatory("signature", account: nil) }
        guard let symbol = parameters.value("symbol").nonEmpty else { return BinanceErrors.mandatory("symbol", account: admitted.apiKey) }
        let orderIdValues = parameters.values("orderIdList")
        let clientIdValues = parameters.values("origClientOrderIdList")
        if !orderIdValues.isEmpty, !clientIdValues.isEmpty {
            return BinanceErrors.reply(
                status: 400, code: -1128, message: "Combination of optional parameters invalid.", verdict: "bad-request", account: admitted.apiKey
            )
        }
        guard !orderIdValues.isEmpty || !clientIdValues.isEmpty else {
            return BinanceErrors.reply(
                status: 400, code: -1102, message: "Param orderIdList or origClientOrderIdList must be sent, but both were empty/null!",
                verdict: "bad-request", account: admitted.apiKey
            )
        }
        let byClientId = orderIdValues.isEmpty
        let name = byClientId ? "origClientOrderIdList" : "orderIdList"
        guard let ids = parseList(byClientId ? clientIdValues : orderIdValues, numeric: !byClientId, core: core), !ids.isEmpty else {
            return BinanceErrors.invalidData(name, account: admitted.apiKey)
        }
        if ids.count > Self.maxBatch {
            return BinanceErrors.invalidData(name, account: admitted.apiKey)
        }
        let now = request.receivedAtMs
        let context = CancelContext(now: now, requestId: request.id, removalDelayMs: 0, faults: faults)
        let owner = admitted.owner
        let outcomes = core.withState(now: now) { state in
            ids.map { id -> CancelVerdict in
                let order = byClientId ? state.book.order(exchange: "binance", clientOrderId: id) : state.book.order(exchange: "binance", id: id)
                return state.cancel(order.flatMap { $0.owner == owner && $0.symbol == symbol ? $0 : nil }, context: context)
            }
        }
        return VenueReply(
            status: 200, json: .array(outcomes.map { BinanceWire.batchElement($0, now: now) }),
            verdict: outcomes.lazy.compactMap(\.injectedFault).first.map { "fault:\($0)" } ?? "ok",
            orderIds: outcomes.compactMap { $0.order?.id }
        )
    }

    /// A JSON array literal (`[1,2]`, `["a","b"]`); repeated plain values only when configured to.
    private func parseList(_ values: [String], numeric: Bool, core: SimCore) -> [String]? {
        if values.count == 1, let first = values.first, first.hasPrefix("[") {
            guard let list = JSONInput.parse(Array(first.utf8)) as? [Any] else { return nil }
            let ids: [String] = list.compactMap { element in
                if numeric {
                    if let text = element as? String { return Int64(text) != nil ? text : nil }
                    return JSONInput.int(element).map { String($0) }
                }
                return element as? String
            }
            return ids.count == list.count ? ids : nil
        }
        guard core.configuration.compatibility.binanceAcceptsRepeatedIdParams else { return nil }
        return numeric ? (values.allSatisfy { Int64($0) != nil } ? values : nil) : values
    }

    /// `DELETE /dapi/v1/allOpenOrders?symbol=` → `{"code": 200, "msg": "The operation of cancel all open order is done."}`.
    func cancelAll(
        _ request: VenueRequest, parameters: BinanceParameters, core: SimCore, faults: ActiveFaults, admitted: Admitted?
    ) -> VenueReply {
        guard let admitted else { return BinanceErrors.mandatory("signature", account: nil) }
        guard let symbol = parameters.value("symbol").nonEmpty else { return BinanceErrors.mandatory("symbol", account: admitted.apiKey) }
        let now = request.receivedAtMs
        let context = CancelContext(now: now, requestId: request.id, removalDelayMs: 0, faults: faults)
        let owner = admitted.owner
        let outcomes = core.withState(now: now) { state in
            state.book.select(exchange: "binance") { $0.owner == owner && $0.symbol == symbol && $0.status(at: now) == .open }
                .map { state.cancel($0, context: context) }
        }
        return VenueReply(
            status: 200, json: .object([("code", .int(200)), ("msg", .string("The operation of cancel all open order is done."))]),
            verdict: outcomes.lazy.compactMap(\.injectedFault).first.map { "fault:\($0)" } ?? "ok",
            orderIds: outcomes.compactMap { $0.order?.id }
        )
    }

    /// `GET /dapi/v1/openOrders[?symbol=|&pair=]`.
    func openOrders(
        _ request: VenueRequest, parameters: BinanceParameters, core: SimCore, faults: ActiveFaults, admitted: Admitted?
    ) -> VenueReply {
        guard let admitted else { return BinanceErrors.mandatory("signature", account: nil) }
        let symbol = parameters.value("symbol").nonEmpty
        let pair = parameters.value("pair").nonEmpty
        let now = request.receivedAtMs
        let owner = admitted.owner
        let orders = core.withState(now: now) { state in
            state.book.select(exchange: "binance") {
                $0.owner == owner && $0.isListedOpen(at: now) && (symbol == nil || $0.symbol == symbol)
                    && (pair == nil || BinanceWire.pair(of: $0.symbol) == pair)
            }
        }
        return VenueReply(
            status: 200,
            json: .array(orders.map { BinanceWire.order($0, status: $0.isPartiallyFilled ? "PARTIALLY_FILLED" : "NEW", now: now, includeTime: true) }),
            verdict: "ok"
        )
    }

    /// `POST /dapi/v1/countdownCancelAll?symbol=&countdownTime=ms` (0 stops) → `{"symbol", "countdownTime": "ms"}`.
    func countdownCancelAll(
        _ request: VenueRequest, parameters: BinanceParameters, core: SimCore, faults: ActiveFaults, admitted: Admitted?
    ) -> VenueReply {
        guard let admitted else { return BinanceErrors.mandatory("signature", account: nil) }
        guard let symbol = parameters.value("symbol").nonEmpty else { return BinanceErrors.mandatory("symbol", account: admitted.apiKey) }
        guard let text = parameters.value("countdownTime").nonEmpty else {
            return BinanceErrors.mandatory("countdownTime", account: admitted.apiKey)
        }
        guard let countdown = Int64(text), countdown >= 0 else { return BinanceErrors.invalidData("countdownTime", account: admitted.apiKey) }
        let now = request.receivedAtMs
        let timer = CountdownTimer(
            exchange: "binance", market: "futures", owner: admitted.owner, settle: nil, symbol: symbol,
            deadlineMs: now + countdown, armedByRequestId: request.id, maxOrders: nil
        )
        core.withState(now: now) { state in
            if countdown == 0 { state.countdowns.disarm(key: timer.key) } else { state.countdowns.arm(timer) }
        }
        return VenueReply(status: 200, json: .object([("symbol", .string(symbol)), ("countdownTime", .string(String(countdown)))]), verdict: "ok")
    }

    func time(
        _ request: VenueRequest, parameters: BinanceParameters, core: SimCore, faults: ActiveFaults, admitted: Admitted?
    ) -> VenueReply {
        VenueReply(status: 200, json: .object([("serverTime", .int(request.receivedAtMs))]), verdict: "ok")
    }

    func exchangeInfo(
        _ request: VenueRequest, parameters: BinanceParameters, core: SimCore, faults: ActiveFaults, admitted: Admitted?
    ) -> VenueReply {
        let now = request.receivedAtMs
        let (rule, seeded) = core.withState(now: now) { state -> (RateLimitRule?, [String]) in
            (
                state.limiter.rule(exchange: "binance", market: "futures", published: .binanceRequestWeight),
                state.book.select(exchange: "binance") { _ in true }.map(\.symbol)
            )
        }
        var symbols = ["BTCUSD_PERP", "ETHUSD_PERP"]
        for symbol in seeded where !symbols.contains(symbol) { symbols.append(symbol) }
        return VenueReply(status: 200, json: BinanceWire.exchangeInfo(now: now, weightRule: rule, symbols: symbols), verdict: "ok")
    }
}
