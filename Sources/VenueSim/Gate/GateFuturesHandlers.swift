import Foundation

/// Gate futures under `/futures/{settle}`: batch cancel, cancel-all, the open listing and the countdown.
struct GateFuturesHandlers {
    /// Lower-cased settle currency from the path.
    let settle: String

    static let maxBatch = 20

    private func belongs(_ order: SimOrder, to owner: String) -> Bool {
        order.market == "futures" && order.owner == owner && order.settle == settle
    }

    /// `POST /futures/{settle}/batch_cancel_orders`: `["id", …]`, ≤ 20. Failures carry the label in `message`.
    func batchCancel(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        let ids: [String]
        if let flat = JSONInput.flatIdArray(request.body) {
            ids = flat
        } else {
            guard let items = JSONInput.parse(request.body) as? [Any] else {
                return GateErrors.badRequest("INVALID_REQUEST_BODY", "Request body must be an array of order ids", account: admitted.apiKey)
            }
            ids = items.compactMap(JSONInput.idText)
            guard ids.count == items.count else {
                return GateErrors.badRequest("INVALID_REQUEST_BODY", "Order ids must be strings", account: admitted.apiKey)
            }
        }
        if ids.isEmpty {
            return GateErrors.badRequest("INVALID_PARAM_VALUE", "Empty order id list", account: admitted.apiKey)
        }
        if ids.count > Self.maxBatch {
            return GateErrors.badRequest("INVALID_PARAM_VALUE", "Too many orders: at most \(Self.maxBatch) per request", account: admitted.apiKey)
        }
        let now = request.receivedAtMs
        let context = CancelContext(now: now, requestId: request.id, removalDelayMs: 0, faults: faults)
        let owner = admitted.owner
        let acceptsTextIds = core.configuration.compatibility.gateFuturesAcceptsTextIds
        let outcomes = core.withState(now: now) { state in
            ids.map { id -> (String, CancelVerdict) in
                var order = state.book.order(exchange: "gate", id: id)
                if order == nil, acceptsTextIds { order = state.book.order(exchange: "gate", clientOrderId: id) }
                return (id, state.cancel(order.flatMap { belongs($0, to: owner) ? $0 : nil }, context: context))
            }
        }
        // The hottest answer of all (the load benchmark's), written straight to bytes.
        var userBytes: [UInt8] = []
        GateWire.userId(admitted.credentials).write(into: &userBytes)
        var body: [UInt8] = []
        body.reserveCapacity(outcomes.count * 72 + 2)
        body.append(UInt8(ascii: "["))
        for (index, (id, verdict)) in outcomes.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            let label = GateWire.failureLabel(verdict, futures: true)?.label
            body.append(contentsOf: #"{"user_id":"#.utf8)
            body.append(contentsOf: userBytes)
            body.append(contentsOf: #","id":"#.utf8)
            JSONValue.string(id).write(into: &body)
            body.append(contentsOf: (label == nil ? #","succeeded":true,"message":"# : #","succeeded":false,"message":"#).utf8)
            JSONValue.string(label ?? "").write(into: &body)
            body.append(UInt8(ascii: "}"))
        }
        body.append(UInt8(ascii: "]"))
        return VenueReply(
            status: 200, body: String(decoding: body, as: UTF8.self), verdict: outcomes.lazy.compactMap { $0.1.injectedFault }.first.map { "fault:\($0)" } ?? "ok",
            orderIds: outcomes.compactMap { $0.1.order?.id }
        )
    }

    /// `DELETE /futures/{settle}/orders[?contract=][&side=]`: the cancelled orders, as `FuturesOrder`s.
    /// `contract` is optional (gate_api 7.2.161: every contract of the settle); older docs required it
    /// (`SimCompatibility.gateFuturesCancelAllRequiresContract`).
    func cancelAll(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        let contract = request.query.value("contract").nonEmpty
        if contract == nil, core.configuration.compatibility.gateFuturesCancelAllRequiresContract {
            return GateErrors.badRequest("MISSING_REQUIRED_PARAM", "Missing required parameter: contract", account: admitted.apiKey)
        }
        let side = request.query.value("side").nonEmpty?.lowercased()
        let now = request.receivedAtMs
        let context = CancelContext(now: now, requestId: request.id, removalDelayMs: 0, faults: faults)
        let owner = admitted.owner
        let outcomes = core.withState(now: now) { state in
            state.book.select(exchange: "gate") { order in
                belongs(order, to: owner) && order.status(at: now) == .open
                    && (contract == nil || order.symbol.caseInsensitiveCompare(contract!) == .orderedSame)
                    && (side == nil || (side == "ask") == order.isSell)
            }.map { state.cancel($0, context: context) }
        }
        let user = GateWire.userId(admitted.credentials)
        let cancelled: [JSONValue] = outcomes.compactMap { verdict in
            guard case .cancelled(let order) = verdict else { return nil }
            return GateWire.futuresOrder(order, now: now, user: user)
        }
        return VenueReply(
            status: 200, json: .array(cancelled), verdict: outcomes.lazy.compactMap(\.injectedFault).first.map { "fault:\($0)" } ?? "ok",
            orderIds: outcomes.compactMap { $0.order?.id }
        )
    }

    /// `GET /futures/{settle}/orders?status=open|finished[&contract=][&limit=][&offset=]`.
    func orders(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        guard let status = request.query.value("status").nonEmpty, status == "open" || status == "finished" else {
            return GateErrors.badRequest("INVALID_PARAM_VALUE", "status must be open or finished", account: admitted.apiKey)
        }
        let contract = request.query.value("contract").nonEmpty
        let limit = max(1, min(1000, Int(request.query.value("limit") ?? "") ?? 100))
        let offset = max(0, Int(request.query.value("offset") ?? "") ?? 0)
        let now = request.receivedAtMs
        let owner = admitted.owner
        let orders = core.withState(now: now) { state in
            state.book.select(exchange: "gate") {
                belongs($0, to: owner) && $0.isListedOpen(at: now) == (status == "open")
                    && (contract == nil || $0.symbol.caseInsensitiveCompare(contract!) == .orderedSame)
            }
        }
        let user = GateWire.userId(admitted.credentials)
        let page = orders.dropFirst(offset).prefix(limit).map { GateWire.futuresOrder($0, now: now, user: user) }
        return VenueReply(status: 200, json: .array(Array(page)), verdict: "ok")
    }

    /// `POST /futures/{settle}/countdown_cancel_all` `{"timeout", "contract"?}` → `{"triggerTime": ms}`.
    func countdown(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        GateCountdown.arm(request, core: core, admitted: admitted, market: "futures", settle: settle, scopeField: "contract")
    }
}
