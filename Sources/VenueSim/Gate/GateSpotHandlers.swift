import Foundation

/// Gate spot: batch cancel, cancel-all, open-order listings and the countdown.
struct GateSpotHandlers {
    static let maxBatch = 20

    /// Gate spot accepts `account` `spot` or `unified` (absent = every spot-like account).
    static func accountProblem(_ value: String?, account: String) -> VenueReply? {
        guard let value, !value.isEmpty, value != "spot", value != "unified" else { return nil }
        return GateErrors.badRequest("INVALID_PARAM_VALUE", "Invalid account: \(value) (spot or unified)", account: account)
    }

    /// `POST /spot/cancel_batch_orders`: `[{"currency_pair", "id", "account"?, "action_mode"?}]`, ≤ 20.
    func batchCancel(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        guard let items = JSONInput.parse(request.body) as? [Any], items.allSatisfy({ $0 is [String: Any] }) else {
            return GateErrors.badRequest("INVALID_REQUEST_BODY", "Request body must be an array of orders", account: admitted.apiKey)
        }
        if items.isEmpty {
            return GateErrors.badRequest("INVALID_PARAM_VALUE", "Empty order list", account: admitted.apiKey)
        }
        if items.count > Self.maxBatch {
            return GateErrors.badRequest("INVALID_PARAM_VALUE", "Too many orders: at most \(Self.maxBatch) per request", account: admitted.apiKey)
        }
        var targets: [(pair: String, id: String)] = []
        for case let item as [String: Any] in items {
            guard let pair = item["currency_pair"] as? String, !pair.isEmpty else {
                return GateErrors.badRequest("MISSING_REQUIRED_PARAM", "Missing required parameter: currency_pair", account: admitted.apiKey)
            }
            guard let id = JSONInput.idText(item["id"]), !id.isEmpty else {
                return GateErrors.badRequest("MISSING_REQUIRED_PARAM", "Missing required parameter: id", account: admitted.apiKey)
            }
            if let problem = Self.accountProblem(item["account"] as? String, account: admitted.apiKey) { return problem }
            targets.append((pair, id))
        }
        let now = request.receivedAtMs
        let context = CancelContext(now: now, requestId: request.id, removalDelayMs: 0, faults: faults)
        let apiKey = admitted.apiKey
        let outcomes = core.withState(now: now) { state in
            targets.map { target -> (String, String, CancelVerdict) in
                let order = (state.book.order(exchange: "gate", id: target.id)
                    ?? state.book.order(exchange: "gate", clientOrderId: target.id))
                    .flatMap { $0.market == "spot" && $0.apiKey == apiKey && $0.symbol.caseInsensitiveCompare(target.pair) == .orderedSame ? $0 : nil }
                return (target.pair, target.id, state.cancel(order, context: context))
            }
        }
        let results: [JSONValue] = outcomes.map { pair, id, verdict in
            let failure = GateWire.failureLabel(verdict, futures: false)
            return .object([
                ("currency_pair", .string(pair)),
                ("id", .string(id)),
                ("text", .string(verdict.order?.clientOrderId ?? "")),
                ("succeeded", .bool(failure == nil)),
                ("label", failure.map { .string($0.label) } ?? .null),
                ("message", failure.map { .string($0.message) } ?? .null),
                ("account", .string("")),
            ])
        }
        return VenueReply(
            status: 200, json: .array(results), verdict: outcomes.lazy.compactMap { $0.2.injectedFault }.first.map { "fault:\($0)" } ?? "ok",
            orderIds: outcomes.compactMap { $0.2.order?.id }
        )
    }

    /// `DELETE /spot/orders[?currency_pair=][&side=][&account=]`: cancels every open order in scope.
    func cancelAll(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        if let problem = Self.accountProblem(request.query.value("account"), account: admitted.apiKey) { return problem }
        let pair = request.query.value("currency_pair").nonEmpty
        let side = request.query.value("side").nonEmpty?.lowercased()
        let now = request.receivedAtMs
        let context = CancelContext(now: now, requestId: request.id, removalDelayMs: 0, faults: faults)
        let apiKey = admitted.apiKey
        let outcomes = core.withState(now: now) { state in
            state.book.select(exchange: "gate") { order in
                order.market == "spot" && order.apiKey == apiKey && order.status(at: now) == .open
                    && (pair == nil || order.symbol.caseInsensitiveCompare(pair!) == .orderedSame)
                    && (side == nil || order.side == side)
            }.map { state.cancel($0, context: context) }
        }
        let results: [JSONValue] = outcomes.compactMap { verdict in
            guard let order = verdict.order else { return nil }
            let failure = GateWire.failureLabel(verdict, futures: false)
            return .object(
                GateWire.spotOrder(order, now: now) + [
                    ("succeeded", .bool(failure == nil)),
                    ("label", .string(failure?.label ?? "")),
                    ("message", .string(failure?.message ?? "")),
                ]
            )
        }
        return VenueReply(
            status: 200, json: .array(results), verdict: outcomes.lazy.compactMap(\.injectedFault).first.map { "fault:\($0)" } ?? "ok",
            orderIds: outcomes.compactMap { $0.order?.id }
        )
    }

    /// `GET /spot/open_orders[?page=&limit=&account=]`: open orders grouped by pair.
    func openOrders(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        if let problem = Self.accountProblem(request.query.value("account"), account: admitted.apiKey) { return problem }
        let limit = Int(request.query.value("limit") ?? "") ?? 100
        let now = request.receivedAtMs
        let apiKey = admitted.apiKey
        let open = core.withState(now: now) { state in
            state.book.select(exchange: "gate") { $0.market == "spot" && $0.apiKey == apiKey && $0.isListedOpen(at: now) }
        }
        var pairs: [String] = []
        var byPair: [String: [SimOrder]] = [:]
        for order in open {
            if byPair[order.symbol] == nil { pairs.append(order.symbol) }
            byPair[order.symbol, default: []].append(order)
        }
        let groups: [JSONValue] = pairs.map { pair in
            let orders = byPair[pair] ?? []
            return .object([
                ("currency_pair", .string(pair)),
                ("total", .int(orders.count)),
                ("orders", .array(orders.prefix(limit).map { .object(GateWire.spotOrder($0, now: now)) })),
            ])
        }
        return VenueReply(status: 200, json: .array(groups), verdict: "ok")
    }

    /// `GET /spot/orders?currency_pair=X&status=open|finished[&limit=]`.
    func orders(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        guard let pair = request.query.value("currency_pair").nonEmpty else {
            return GateErrors.badRequest("MISSING_REQUIRED_PARAM", "Missing required parameter: currency_pair", account: admitted.apiKey)
        }
        guard let status = request.query.value("status").nonEmpty, status == "open" || status == "finished" else {
            return GateErrors.badRequest("INVALID_PARAM_VALUE", "status must be open or finished", account: admitted.apiKey)
        }
        if let problem = Self.accountProblem(request.query.value("account"), account: admitted.apiKey) { return problem }
        let limit = Int(request.query.value("limit") ?? "") ?? 100
        if status == "open", limit > 100 {
            return GateErrors.badRequest("INVALID_PARAM_VALUE", "limit must not exceed 100 when status=open", account: admitted.apiKey)
        }
        let now = request.receivedAtMs
        let apiKey = admitted.apiKey
        let orders = core.withState(now: now) { state in
            state.book.select(exchange: "gate") {
                $0.market == "spot" && $0.apiKey == apiKey && $0.symbol.caseInsensitiveCompare(pair) == .orderedSame
                    && $0.isListedOpen(at: now) == (status == "open")
            }
        }
        return VenueReply(status: 200, json: .array(orders.prefix(limit).map { .object(GateWire.spotOrder($0, now: now)) }), verdict: "ok")
    }

    /// `POST /spot/countdown_cancel_all` `{"timeout": s (0 disarms, else ≥ 5), "currency_pair"?}` → `{"triggerTime": ms}`.
    func countdown(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        GateCountdown.arm(request, core: core, admitted: admitted, market: "spot", settle: nil, scopeField: "currency_pair")
    }
}

/// The countdown shared by Gate spot and futures.
enum GateCountdown {
    static func arm(
        _ request: VenueRequest, core: SimCore, admitted: Admitted, market: String, settle: String?, scopeField: String
    ) -> VenueReply {
        guard let body = JSONInput.parse(request.body) as? [String: Any] else {
            return GateErrors.badRequest("INVALID_REQUEST_BODY", "Request body must be a JSON object", account: admitted.apiKey)
        }
        guard let timeout = JSONInput.int(body["timeout"]) else {
            return GateErrors.badRequest("MISSING_REQUIRED_PARAM", "Missing required parameter: timeout", account: admitted.apiKey)
        }
        if timeout != 0, timeout < 5 {
            return GateErrors.badRequest("INVALID_PARAM_VALUE", "timeout must be 0 or at least 5 seconds", account: admitted.apiKey)
        }
        let now = request.receivedAtMs
        let timer = CountdownTimer(
            exchange: "gate", market: market, apiKey: admitted.apiKey, settle: settle,
            symbol: (body[scopeField] as? String).nonEmpty, deadlineMs: now + timeout * 1000,
            armedByRequestId: request.id, maxOrders: nil
        )
        core.withState(now: now) { state in
            if timeout == 0 { state.countdowns.disarm(key: timer.key) } else { state.countdowns.arm(timer) }
        }
        return VenueReply(status: 200, json: .object([("triggerTime", .int(timeout == 0 ? 0 : timer.deadlineMs))]), verdict: "ok")
    }
}
