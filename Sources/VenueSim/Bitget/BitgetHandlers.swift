import Foundation

/// Bitget mix handlers: batch cancel (by ids or by product type/symbol), cancel-all and the pending list.
struct BitgetHandlers {
    static let maxBatch = 50
    static let productTypes = ["USDT-FUTURES", "COIN-FUTURES", "USDC-FUTURES"]

    /// Validated `productType` (case-insensitive; the doc example sends lower case) or the refusal.
    private func productType(_ value: Any?, admitted: Admitted, now: Int64) -> Result<String, RefusalReply> {
        guard let text = value as? String, !text.isEmpty else {
            return .failure(RefusalReply(BitgetErrors.badRequest("40019", "Parameter productType cannot be empty", account: admitted.apiKey, now: now)))
        }
        guard Self.productTypes.contains(text.uppercased()) else {
            return .failure(RefusalReply(BitgetErrors.badRequest("40017", "Parameter verification failed: productType", account: admitted.apiKey, now: now)))
        }
        return .success(text.uppercased())
    }

    private func body(_ request: VenueRequest, admitted: Admitted) -> Result<[String: Any], RefusalReply> {
        guard let body = JSONInput.parse(request.body) as? [String: Any] else {
            return .failure(RefusalReply(BitgetErrors.badRequest("40017", "Parameter verification failed: body must be a JSON object", account: admitted.apiKey, now: request.receivedAtMs)))
        }
        return .success(body)
    }

    /// `POST /api/v2/mix/order/batch-cancel-orders` `{productType, symbol?, marginCoin?, orderIdList? ≤ 50}`.
    /// Without `orderIdList` it cancels by product type (and symbol when given).
    func batchCancel(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        let now = request.receivedAtMs
        let body: [String: Any]
        switch self.body(request, admitted: admitted) {
        case .failure(let refusal): return refusal.reply
        case .success(let parsed): body = parsed
        }
        let product: String
        switch productType(body["productType"], admitted: admitted, now: now) {
        case .failure(let refusal): return refusal.reply
        case .success(let value): product = value
        }
        let symbol = (body["symbol"] as? String).nonEmpty
        let marginCoin = (body["marginCoin"] as? String).nonEmpty
        guard let rawList = body["orderIdList"] else {
            return cancelInScope(request, core: core, faults: faults, admitted: admitted, product: product, symbol: symbol, marginCoin: marginCoin)
        }
        guard let list = rawList as? [Any], list.allSatisfy({ $0 is [String: Any] }) else {
            return BitgetErrors.badRequest("40017", "Parameter verification failed: orderIdList", account: admitted.apiKey, now: now)
        }
        guard let symbol else {
            return BitgetErrors.badRequest("40019", "Parameter symbol cannot be empty", account: admitted.apiKey, now: now)
        }
        if list.count > Self.maxBatch {
            return BitgetErrors.badRequest("40912", "single cancel cannot exceed \(Self.maxBatch)", account: admitted.apiKey, now: now)
        }
        var targets: [(orderId: String?, clientOid: String?)] = []
        for case let item as [String: Any] in list {
            let orderId = JSONInput.idText(item["orderId"]).nonEmpty
            let clientOid = JSONInput.idText(item["clientOid"]).nonEmpty
            guard orderId != nil || clientOid != nil else {
                return BitgetErrors.badRequest("40019", "Either orderId or clientOid is required", account: admitted.apiKey, now: now)
            }
            targets.append((orderId, clientOid))
        }
        let context = CancelContext(now: now, requestId: request.id, removalDelayMs: 0, faults: faults)
        let owner = admitted.owner
        let outcomes = core.withState(now: now) { state in
            targets.map { target -> (String?, String?, CancelVerdict) in
                // orderId wins when both are given.
                let order = target.orderId.map { state.book.order(exchange: "bitget", id: $0) }
                    ?? target.clientOid.flatMap { state.book.order(exchange: "bitget", clientOrderId: $0) }
                let owned = order.flatMap {
                    $0.owner == owner && $0.productType == product && $0.symbol.caseInsensitiveCompare(symbol) == .orderedSame ? $0 : nil
                }
                return (target.orderId, target.clientOid, state.cancel(owned, context: context))
            }
        }
        return BitgetWire.cancelReply(outcomes, now: now)
    }

    private func cancelInScope(
        _ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted, product: String, symbol: String?, marginCoin: String?
    ) -> VenueReply {
        let now = request.receivedAtMs
        let context = CancelContext(now: now, requestId: request.id, removalDelayMs: 0, faults: faults)
        let owner = admitted.owner
        // Whether marginCoin narrows the scope is UNVERIFIED (SimCompatibility.bitgetCancelAllHonoursMarginCoin).
        let honourMarginCoin = core.configuration.compatibility.bitgetCancelAllHonoursMarginCoin
        let outcomes = core.withState(now: now) { state in
            state.book.select(exchange: "bitget") { order in
                order.owner == owner && order.productType == product && order.status(at: now) == .open
                    && (symbol == nil || order.symbol.caseInsensitiveCompare(symbol!) == .orderedSame)
                    && (!honourMarginCoin || marginCoin == nil
                        || BitgetWire.marginCoin(of: order).caseInsensitiveCompare(marginCoin!) == .orderedSame)
            }.map { order -> (String?, String?, CancelVerdict) in (order.id, order.clientOrderId, state.cancel(order, context: context)) }
        }
        return BitgetWire.cancelReply(outcomes, now: now)
    }

    /// `POST /api/v2/mix/order/cancel-all-orders` `{productType, marginCoin?}`.
    func cancelAll(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        let body: [String: Any]
        switch self.body(request, admitted: admitted) {
        case .failure(let refusal): return refusal.reply
        case .success(let parsed): body = parsed
        }
        switch productType(body["productType"], admitted: admitted, now: request.receivedAtMs) {
        case .failure(let refusal): return refusal.reply
        case .success(let product):
            return cancelInScope(
                request, core: core, faults: faults, admitted: admitted, product: product, symbol: nil,
                marginCoin: (body["marginCoin"] as? String).nonEmpty
            )
        }
    }

    /// `GET /api/v2/mix/order/orders-pending?productType=…[&symbol=][&status=live|partially_filled][&limit≤100]`.
    /// `status=live`: open orders with nothing filled; `partially_filled`: open orders with a filled part; no
    /// status: `live` only unless `SimCompatibility.bitgetPendingWithoutStatusIncludesPartiallyFilled`
    /// (UNVERIFIED; the default is the reading that hides partially filled orders from an unfiltered listing).
    func ordersPending(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        let now = request.receivedAtMs
        let product: String
        switch productType(request.query.value("productType"), admitted: admitted, now: now) {
        case .failure(let refusal): return refusal.reply
        case .success(let value): product = value
        }
        let symbol = request.query.value("symbol").nonEmpty
        let status = request.query.value("status").nonEmpty
        if let status, status != "live", status != "partially_filled" {
            return BitgetErrors.badRequest("40017", "Parameter verification failed: status", account: admitted.apiKey, now: now)
        }
        let limit = Int(request.query.value("limit") ?? "100") ?? 100
        guard (1...100).contains(limit) else {
            return BitgetErrors.badRequest("40017", "Parameter verification failed: limit", account: admitted.apiKey, now: now)
        }
        // Paged newest first: `idLessThan` asks for the page of older orders (docs/venues.md 3d).
        let idLessThan = request.query.value("idLessThan").nonEmpty
        let owner = admitted.owner
        let includeLive = status != "partially_filled"
        let includePartial = status == "partially_filled"
            || (status == nil && core.configuration.compatibility.bitgetPendingWithoutStatusIncludesPartiallyFilled)
        let orders = core.withState(now: now) { state in
            state.book.select(exchange: "bitget") {
                $0.owner == owner && $0.productType == product && $0.isListedOpen(at: now)
                    && (symbol == nil || $0.symbol.caseInsensitiveCompare(symbol!) == .orderedSame)
                    && ($0.isPartiallyFilled ? includePartial : includeLive)
                    && (idLessThan == nil || Self.older($0.id, than: idLessThan!))
            }
        }.sorted { Self.older($1.id, than: $0.id) }
        let page = Array(orders.prefix(limit))
        let list: JSONValue =
            page.isEmpty && core.configuration.compatibility.bitgetEmptyListAsNull ? .null : .array(page.map(BitgetWire.pendingOrder))
        return VenueReply(
            status: 200,
            json: BitgetErrors.success(.object([("entrustedList", list), ("endId", page.last.map { .string($0.id) } ?? .null)]), now: now),
            verdict: "ok"
        )
    }
}

extension BitgetHandlers {
    /// Bitget order ids grow with time: numerically where both are numbers.
    static func older(_ a: String, than b: String) -> Bool {
        if let x = Int64(a), let y = Int64(b) { return x < y }
        return a < b
    }
}

/// A venue refusal carried through `Result`.
struct RefusalReply: Error {
    let reply: VenueReply

    init(_ reply: VenueReply) {
        self.reply = reply
    }
}
