/// HTX spot handlers. Accepted cancels are "submitted": the order is reported in `success` at once but stays
/// in the open list for `htxCancelDelayMs` of simulator time.
struct HTXHandlers {
    static let maxBatch = 50

    private func ok(_ data: JSONValue) -> JSONValue {
        .object([("status", .string("ok")), ("data", data)])
    }

    /// `POST /v1/order/orders/batchcancel` `{"order-ids": [...]}` or `{"client-order-ids": [...]}` (≤ 50).
    func batchCancel(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        guard let body = JSONInput.parse(request.body) as? [String: Any] else {
            return HTXErrors.v1("bad-request", "invalid json body", verdict: "bad-request", account: admitted.apiKey)
        }
        let orderIds = body["order-ids"]
        let clientIds = body["client-order-ids"]
        if orderIds != nil, clientIds != nil {
            return HTXErrors.v1("invalid-parameter", "order-ids and client-order-ids cannot both be set", verdict: "bad-request", account: admitted.apiKey)
        }
        let byClientId = clientIds != nil
        guard let list = (orderIds ?? clientIds) as? [Any] else {
            return HTXErrors.v1("invalid-parameter", "order-ids or client-order-ids is required", verdict: "bad-request", account: admitted.apiKey)
        }
        let ids = list.compactMap(JSONInput.idText)
        guard ids.count == list.count, !ids.isEmpty else {
            return HTXErrors.v1("invalid-parameter", "invalid order id list", verdict: "bad-request", account: admitted.apiKey)
        }
        if ids.count > Self.maxBatch {
            return HTXErrors.v1(
                "invalid-parameter", "the number of orders exceeds the limit \(Self.maxBatch)", verdict: "bad-request", account: admitted.apiKey
            )
        }
        let now = request.receivedAtMs
        let context = CancelContext(
            now: now, requestId: request.id, removalDelayMs: core.configuration.htxCancelDelayMs, faults: faults
        )
        let owner = admitted.owner
        let outcomes = core.withState(now: now) { state in
            ids.map { id -> (String, CancelVerdict) in
                let order = byClientId ? state.book.order(exchange: "htx", clientOrderId: id) : state.book.order(exchange: "htx", id: id)
                return (id, state.cancel(order.flatMap { $0.owner == owner ? $0 : nil }, context: context))
            }
        }
        var success: [JSONValue] = []
        var failed: [JSONValue] = []
        for (id, verdict) in outcomes {
            if let failure = HTXWire.failure(verdict, requestedId: id, byClientId: byClientId) {
                failed.append(failure)
            } else {
                success.append(.string(id))
            }
        }
        return VenueReply(
            status: 200, json: ok(.object([("success", .array(success)), ("failed", .array(failed))])),
            verdict: outcomes.lazy.compactMap { $0.1.injectedFault }.first.map { "fault:\($0)" } ?? "ok",
            orderIds: outcomes.compactMap { $0.1.order?.id }
        )
    }

    /// `GET /v1/account/accounts`: the key's accounts, `[{id, type, subtype, state}]` with `id` a number (HTX
    /// "Get all Accounts of the Current User"). The simulator knows one spot account per key, its `accountId`.
    func accounts(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        let accounts: [JSONValue] = admitted.credentials.account.accountId.map { id in
            [.object([
                ("id", .numericId(id)), ("type", .string("spot")), ("subtype", .string("")), ("state", .string("working")),
            ])]
        } ?? []
        return VenueReply(status: 200, json: ok(.array(accounts)), verdict: "ok")
    }

    /// An `account-id` must be the key's own spot account.
    private func accountProblem(_ accountId: String?, admitted: Admitted) -> VenueReply? {
        guard let accountId, !accountId.isEmpty, accountId != admitted.credentials.account.accountId else { return nil }
        return HTXErrors.v1(
            "account-frozen-account-inexistent-error",
            "account for id `\(accountId)` and user id `\(admitted.credentials.account.uid ?? "")` does not exist",
            verdict: "bad-request", account: admitted.apiKey
        )
    }

    /// `GET /v1/order/openOrders[?account-id=][&symbol=][&side=][&size=1..500]`.
    func openOrders(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        if let problem = accountProblem(request.query.value("account-id"), admitted: admitted) { return problem }
        let size = Int(request.query.value("size") ?? "100") ?? -1
        guard (1...500).contains(size) else {
            return HTXErrors.v1("invalid-parameter", "size must be between 1 and 500", verdict: "bad-request", account: admitted.apiKey)
        }
        let symbol = request.query.value("symbol").nonEmpty?.lowercased()
        let side = request.query.value("side").nonEmpty?.lowercased()
        let now = request.receivedAtMs
        let owner = admitted.owner
        let orders = core.withState(now: now) { state in
            state.book.select(exchange: "htx") {
                $0.owner == owner && $0.isListedOpen(at: now) && (symbol == nil || $0.symbol.lowercased() == symbol)
                    && (side == nil || $0.side == side)
            }
        }
        let accountId = admitted.credentials.account.accountId
        let omit = core.configuration.compatibility.htxManualOrdersOmitClientOrderId
        return VenueReply(
            status: 200, json: ok(.array(orders.prefix(size).map { HTXWire.openOrder($0, accountId: accountId, omitManualClientId: omit) })),
            verdict: "ok"
        )
    }

    /// `POST /v1/order/orders/batchCancelOpenOrders` `{account-id?, symbol? (≤ 10, comma-separated), side?, size? 1..100}`
    /// → `{"success-count", "failed-count", "next-id"}` (`next-id` -1 when nothing is left).
    func batchCancelOpenOrders(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        let body: [String: Any]
        if request.body.isEmpty {
            body = [:]
        } else if let parsed = JSONInput.parse(request.body) as? [String: Any] {
            body = parsed
        } else {
            return HTXErrors.v1("bad-request", "invalid json body", verdict: "bad-request", account: admitted.apiKey)
        }
        if let problem = accountProblem(JSONInput.idText(body["account-id"]), admitted: admitted) { return problem }
        let symbols = (body["symbol"] as? String).nonEmpty.map { $0.lowercased().split(separator: ",").map(String.init) }
        if let symbols, symbols.count > 10 {
            return HTXErrors.v1("invalid-parameter", "at most 10 symbols", verdict: "bad-request", account: admitted.apiKey)
        }
        let side = (body["side"] as? String).nonEmpty?.lowercased()
        let size = body["size"].map { JSONInput.int($0) ?? -1 } ?? 100
        guard (1...100).contains(size) else {
            return HTXErrors.v1("invalid-parameter", "size must be between 1 and 100", verdict: "bad-request", account: admitted.apiKey)
        }
        let now = request.receivedAtMs
        let context = CancelContext(now: now, requestId: request.id, removalDelayMs: core.configuration.htxCancelDelayMs, faults: faults)
        let owner = admitted.owner
        let (outcomes, nextId) = core.withState(now: now) { state -> ([CancelVerdict], String?) in
            let candidates = state.book.select(exchange: "htx") {
                $0.owner == owner && $0.status(at: now) == .open && (symbols == nil || symbols!.contains($0.symbol.lowercased()))
                    && (side == nil || $0.side == side)
            }
            let outcomes = candidates.prefix(Int(size)).map { state.cancel($0, context: context) }
            return (outcomes, candidates.dropFirst(Int(size)).first?.id)
        }
        let succeeded = outcomes.filter { if case .cancelled = $0 { return true } else { return false } }.count
        return VenueReply(
            status: 200,
            json: ok(.object([
                ("success-count", .int(succeeded)),
                ("failed-count", .int(outcomes.count - succeeded)),
                ("next-id", nextId.map { .numericId($0) } ?? .int(-1)),
            ])),
            verdict: outcomes.lazy.compactMap(\.injectedFault).first.map { "fault:\($0)" } ?? "ok",
            orderIds: outcomes.compactMap { $0.order?.id }
        )
    }

    /// `POST /v2/algo-orders/cancel-all-after` `{"timeout": s}` (0 disarms, else ≥ 5); on expiry cancels the
    /// account's spot orders (at most 500).
    func cancelAllAfter(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        guard let body = JSONInput.parse(request.body) as? [String: Any] else {
            return HTXErrors.v2(2002, "invalid.json.body", verdict: "bad-request", account: admitted.apiKey)
        }
        guard let timeout = JSONInput.int(body["timeout"]) else {
            return HTXErrors.v2(2003, "Missing mandatory field: timeout", verdict: "bad-request", account: admitted.apiKey)
        }
        if timeout != 0, timeout < 5 {
            return HTXErrors.v2(2002, "Invalid field value: timeout must be 0 or at least 5", verdict: "bad-request", account: admitted.apiKey)
        }
        let now = request.receivedAtMs
        let timer = CountdownTimer(
            exchange: "htx", market: "spot", owner: admitted.owner, settle: nil, symbol: nil,
            deadlineMs: now + timeout * 1000, armedByRequestId: request.id, maxOrders: 500
        )
        core.withState(now: now) { state in
            if timeout == 0 { state.countdowns.disarm(key: timer.key) } else { state.countdowns.arm(timer) }
        }
        return VenueReply(
            status: 200,
            json: .object([
                ("code", .int(200)), ("message", .string("success")),
                ("data", .object([("currentTime", .int(now)), ("triggerTime", .int(timeout == 0 ? 0 : timer.deadlineMs))])),
            ]),
            verdict: "ok"
        )
    }
}
