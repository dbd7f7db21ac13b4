import Foundation

/// The account types a Gate spot order can rest in: `spot`, isolated `margin`, `cross_margin` (older docs
/// and the WebSocket API's order type) and `unified` (gate_api Order model: "spot - spot account, margin -
/// leveraged account, unified - unified account").
enum GateSpotAccounts {
    static let all = ["spot", "margin", "cross_margin", "unified"]
}

/// Gate spot: batch cancel, cancel-all, open-order listings and the countdown. Orders belong to the account
/// (uid) and rest in one of its account types (`GateSpotAccounts`).
///
/// `account` on the cancel-all: "When the `account` parameter is not specified, all pending orders including
/// spot, unified account, and isolated margin will be cancelled. When `currency_pair` is not specified, all
/// trading pair pending orders will be cancelled" (gate_api SpotApi.cancel_orders, verified); with it, only
/// that account type's orders. The listings take `account` the same way (no account: see
/// `SimCompatibility.gateSpotListingWithoutAccountCoversAllAccounts`).
struct GateSpotHandlers {
    static let maxBatch = 20

    /// A valid `account` value, or the 400 for an unknown one.
    static func accountProblem(_ value: String?, account: String) -> VenueReply? {
        guard let value, !value.isEmpty, !GateSpotAccounts.all.contains(value) else { return nil }
        return GateErrors.badRequest(
            "INVALID_PARAM_VALUE", "Invalid account: \(value) (\(GateSpotAccounts.all.joined(separator: ", ")))", account: account
        )
    }

    /// Whether an order's account type is in a listing/cancel-all's `account` scope.
    static func inAccount(_ order: SimOrder, _ account: String?, absentCoversAll: Bool) -> Bool {
        let orderAccount = order.account ?? "spot"
        guard let account else { return absentCoversAll || orderAccount == "spot" }
        return orderAccount == account
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
        var targets: [(pair: String, id: String, account: String?)] = []
        for case let item as [String: Any] in items {
            guard let pair = item["currency_pair"] as? String, !pair.isEmpty else {
                return GateErrors.badRequest("MISSING_REQUIRED_PARAM", "Missing required parameter: currency_pair", account: admitted.apiKey)
            }
            guard let id = JSONInput.idText(item["id"]), !id.isEmpty else {
                return GateErrors.badRequest("MISSING_REQUIRED_PARAM", "Missing required parameter: id", account: admitted.apiKey)
            }
            let account = (item["account"] as? String).nonEmpty
            if let problem = Self.accountProblem(account, account: admitted.apiKey) { return problem }
            targets.append((pair, id, account))
        }
        let now = request.receivedAtMs
        let context = CancelContext(now: now, requestId: request.id, removalDelayMs: 0, faults: faults)
        let owner = admitted.owner
        let unifiedNeedsAccount = core.configuration.compatibility.gateSpotBatchCancelUnifiedNeedsAccount
        // An item's `account` finds only orders of that account type; without it any type is found, except a
        // unified one where `gateSpotBatchCancelUnifiedNeedsAccount` says it must be named.
        func reachable(_ order: SimOrder, _ account: String?) -> Bool {
            let orderAccount = order.account ?? "spot"
            if let account { return orderAccount == account }
            return !(unifiedNeedsAccount && orderAccount == "unified")
        }
        let textIdWindow = core.configuration.compatibility.gateSpotTextIdWindowMs
        let outcomes = core.withState(now: now) { state in
            targets.map { target -> (String, String, CancelVerdict) in
                // A custom text id finds its order only within the venue's window after creation.
                let byText = state.book.order(exchange: "gate", clientOrderId: target.id).flatMap { order in
                    textIdWindow.map { now - order.createdAtMs <= $0 } ?? true ? order : nil
                }
                let order = (state.book.order(exchange: "gate", id: target.id) ?? byText)
                    .flatMap {
                        $0.market == "spot" && $0.owner == owner && $0.symbol.caseInsensitiveCompare(target.pair) == .orderedSame
                            && reachable($0, target.account) ? $0 : nil
                    }
                return (target.pair, target.id, state.cancel(order, context: context))
            }
        }
        let results: [JSONValue] = outcomes.map { pair, id, verdict in
            let failure = GateWire.failureLabel(verdict, futures: false)
            return .object([
                ("currency_pair", .string(pair)),
                ("id", .string(id)),
                ("text", .string(verdict.order.map { GateWire.text($0, futures: false) } ?? "")),
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

    /// `DELETE /spot/orders[?currency_pair=][&side=][&account=]`: cancels every open order in scope — without
    /// `account` every account type's, without `currency_pair` every pair's (verified, see the type's comment).
    func cancelAll(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        let account = request.query.value("account").nonEmpty
        if let problem = Self.accountProblem(account, account: admitted.apiKey) { return problem }
        let pair = request.query.value("currency_pair").nonEmpty
        let side = request.query.value("side").nonEmpty?.lowercased()
        let now = request.receivedAtMs
        let context = CancelContext(now: now, requestId: request.id, removalDelayMs: 0, faults: faults)
        let owner = admitted.owner
        let outcomes = core.withState(now: now) { state in
            state.book.select(exchange: "gate") { order in
                order.market == "spot" && order.owner == owner && order.status(at: now) == .open
                    && Self.inAccount(order, account, absentCoversAll: true)
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
        let account = request.query.value("account").nonEmpty
        if let problem = Self.accountProblem(account, account: admitted.apiKey) { return problem }
        let absentCoversAll = core.configuration.compatibility.gateSpotListingWithoutAccountCoversAllAccounts
        let limit = Int(request.query.value("limit") ?? "") ?? 100
        let now = request.receivedAtMs
        let owner = admitted.owner
        let open = core.withState(now: now) { state in
            state.book.select(exchange: "gate") {
                $0.market == "spot" && $0.owner == owner && $0.isListedOpen(at: now)
                    && Self.inAccount($0, account, absentCoversAll: absentCoversAll)
            }
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
        let account = request.query.value("account").nonEmpty
        if let problem = Self.accountProblem(account, account: admitted.apiKey) { return problem }
        let absentCoversAll = core.configuration.compatibility.gateSpotListingWithoutAccountCoversAllAccounts
        let limit = Int(request.query.value("limit") ?? "") ?? 100
        if status == "open", limit > 100 {
            return GateErrors.badRequest("INVALID_PARAM_VALUE", "limit must not exceed 100 when status=open", account: admitted.apiKey)
        }
        let now = request.receivedAtMs
        let owner = admitted.owner
        let orders = core.withState(now: now) { state in
            state.book.select(exchange: "gate") {
                $0.market == "spot" && $0.owner == owner && $0.symbol.caseInsensitiveCompare(pair) == .orderedSame
                    && $0.isListedOpen(at: now) == (status == "open")
                    && Self.inAccount($0, account, absentCoversAll: absentCoversAll)
            }
        }
        return VenueReply(status: 200, json: .array(orders.prefix(limit).map { .object(GateWire.spotOrder($0, now: now)) }), verdict: "ok")
    }

    /// `POST /spot/countdown_cancel_all` `{"timeout": s (0 disarms, else ≥ 5), "currency_pair"?}` → `{"triggerTime": ms}`.
    /// Without `currency_pair` every market; account types per `gateSpotCountdownCoversAllAccounts`.
    func countdown(_ request: VenueRequest, core: SimCore, faults: ActiveFaults, admitted: Admitted) -> VenueReply {
        let accounts: Set<String>? = core.configuration.compatibility.gateSpotCountdownCoversAllAccounts ? nil : ["spot"]
        return GateCountdown.arm(
            request, core: core, admitted: admitted, market: "spot", settle: nil, scopeField: "currency_pair", accounts: accounts
        )
    }
}

/// The countdown shared by Gate spot and futures.
enum GateCountdown {
    static func arm(
        _ request: VenueRequest, core: SimCore, admitted: Admitted, market: String, settle: String?, scopeField: String,
        accounts: Set<String>? = nil
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
            exchange: "gate", market: market, owner: admitted.owner, settle: settle,
            symbol: (body[scopeField] as? String).nonEmpty, deadlineMs: now + timeout * 1000,
            armedByRequestId: request.id, maxOrders: nil, accounts: accounts
        )
        core.withState(now: now) { state in
            if timeout == 0 { state.countdowns.disarm(key: timer.key) } else { state.countdowns.arm(timer) }
        }
        return VenueReply(status: 200, json: .object([("triggerTime", .int(timeout == 0 ? 0 : timer.deadlineMs))]), verdict: "ok")
    }
}
