/// Gate APIv4, futures and spot, under `/api/v4`. `{settle}` is `btc` or `usdt`, accepted in any case
/// (ccxt sends `USDT`).
struct GateRoutes: VenueRoutes {
    let exchange = "gate"

    func market(of path: String) -> String {
        path.hasPrefix("/api/v4/futures") ? "futures" : "spot"
    }

    func serverError(for request: VenueRequest) -> VenueReply {
        GateErrors.serverError().with(headers: clockHeaders(request))
    }

    func respond(to request: VenueRequest, core: SimCore, faults: ActiveFaults) -> VenueReply {
        let (route, settle) = Self.route(of: request)
        if route == "GET spot/time" {
            return VenueReply(status: 200, json: .object([("server_time", .int(request.receivedAtMs))]), verdict: "ok")
                .with(headers: clockHeaders(request))
        }
        let handler: ((VenueRequest, SimCore, ActiveFaults, Admitted) -> VenueReply)?
        let pool: (name: String, rule: RateLimitRule)
        let spot = GateSpotHandlers()
        let futures = GateFuturesHandlers(settle: settle)
        switch route {
        case "POST spot/cancel_batch_orders": handler = spot.batchCancel; pool = ("cancels", .gateCancels)
        case "DELETE spot/orders": handler = spot.cancelAll; pool = ("cancels", .gateCancels)
        case "GET spot/open_orders": handler = spot.openOrders; pool = ("open_orders", .gateOtherPrivate)
        case "GET spot/orders": handler = spot.orders; pool = ("orders", .gateOtherPrivate)
        case "POST spot/countdown_cancel_all": handler = spot.countdown; pool = ("countdown_cancel_all", .gateOtherPrivate)
        case "POST futures/{settle}/batch_cancel_orders": handler = futures.batchCancel; pool = (futuresCancels(settle, core), .gateCancels)
        case "DELETE futures/{settle}/orders": handler = futures.cancelAll; pool = (futuresCancels(settle, core), .gateCancels)
        case "GET futures/{settle}/orders": handler = futures.orders; pool = ("orders", .gateOtherPrivate)
        case "POST futures/{settle}/countdown_cancel_all": handler = futures.countdown; pool = ("countdown_cancel_all", .gateOtherPrivate)
        default: handler = nil; pool = ("", .gateCancels)
        }
        guard let handler else {
            return GateErrors.notFound(request.path).with(headers: clockHeaders(request))
        }
        let market = market(of: request.path)
        if market == "futures", !["btc", "usdt"].contains(settle) {
            return GateErrors.badRequest("INVALID_PARAM_VALUE", "Invalid settle currency: \(settle)", account: presentedKey(request))
                .with(headers: clockHeaders(request))
        }
        switch admit(request, core: core, faults: faults, market: market, pool: pool.name, rule: pool.rule) {
        case .refused(let reply):
            return reply.with(headers: clockHeaders(request))
        case .admitted(let admitted):
            if let refusal = ReadOnlyKeys.refusal(exchange: exchange, request: request, credentials: admitted.credentials) {
                return refusal.with(headers: admitted.usageHeaders + clockHeaders(request)).counted(admitted.check, weight: 1)
            }
            var reply = handler(request, core, faults, admitted)
            reply.account = admitted.apiKey
            return reply.with(headers: admitted.usageHeaders + clockHeaders(request)).counted(admitted.check, weight: 1)
        }
    }

    /// `"METHOD rest/of/path"` after `/api/v4/`, with a futures settle replaced by `{settle}`, and the settle
    /// lower-cased ("" when the path has none). Empty path components are ignored.
    static func route(of request: VenueRequest) -> (route: String, settle: String) {
        let path = request.path
        if path.hasPrefix("/api/v4/") {
            // Fast path (every real client): no empty components, so no splitting and joining.
            let rest = path.dropFirst(8)
            var clean = !rest.isEmpty && rest.utf8.last != UInt8(ascii: "/")
            var previous: UInt8 = UInt8(ascii: "/")
            for byte in rest.utf8 where clean {
                if byte == UInt8(ascii: "/"), previous == UInt8(ascii: "/") { clean = false }
                previous = byte
            }
            if clean {
                if rest.hasPrefix("futures/") {
                    let afterFutures = rest.dropFirst(8)
                    if let slash = afterFutures.firstIndex(of: "/") {
                        return ("\(request.method) futures/{settle}\(afterFutures[slash...])", afterFutures[..<slash].lowercased())
                    }
                    return ("\(request.method) futures/{settle}", afterFutures.lowercased())
                }
                return ("\(request.method) \(rest)", "")
            }
        }
        var parts = request.pathComponents.dropFirst(2).map(String.init)
        var settle = ""
        if parts.count >= 2, parts[0] == "futures" {
            settle = parts[1].lowercased()
            parts[1] = "{settle}"
        }
        return ("\(request.method) \(parts.joined(separator: "/"))", settle)
    }

    /// The futures cancel pool: one for both settles (default), or one per settle
    /// (`SimCompatibility.gateFuturesSettlesShareCancelPool`).
    private func futuresCancels(_ settle: String, _ core: SimCore) -> String {
        core.configuration.compatibility.gateFuturesSettlesShareCancelPool ? "cancels" : "cancels|\(settle)"
    }

    /// Signature and clock, then the account's count: per UID and market, every cancel endpoint (batch cancels
    /// and cancel-all) in one 200/s pool; every other private endpoint per UID, market and endpoint (200/10 s).
    /// Futures' `btc` and `usdt` settles share the futures pool by default (the table has one row for perpetual
    /// futures; per-settle pools are UNVERIFIED, so the stricter reading; see `gateFuturesSettlesShareCancelPool`).
    private func admit(
        _ request: VenueRequest, core: SimCore, faults: ActiveFaults, market: String, pool: String, rule: RateLimitRule
    ) -> Admission {
        switch GateAuthenticator.authenticate(request, core: core) {
        case .refused(let reply):
            return .refused(reply)
        case .accepted(let credentials):
            let now = request.receivedAtMs
            let check = core.withState(now: now) { state in
                state.limiter.draw(
                    exchange: "gate", market: market, key: "\(credentials.owner)|\(pool)", published: rule,
                    cost: 1, now: now, force: faults.forceRateLimit
                )
            }
            let resetSeconds = (check.allowed ? now : now + check.retryAfterMs + 999) / 1000
            let headers = [
                ("X-Gate-RateLimit-Requests-Remain", String(check.remaining)),
                ("X-Gate-RateLimit-Limit", String(check.limit)),
                ("X-Gate-RateLimit-Reset-Timestamp", String(resetSeconds)),
            ]
            guard check.allowed else {
                var reply = GateErrors.tooManyRequests(account: credentials.account.apiKey).with(headers: headers).counted(check, weight: 1)
                if faults.forceRateLimit { reply.verdict = "fault:rate-limit" }
                return .refused(reply)
            }
            return .admitted(Admitted(credentials: credentials, usageHeaders: headers, check: check))
        }
    }

    /// Gateway receive/send times in microseconds, on every Gate answer.
    private func clockHeaders(_ request: VenueRequest) -> [(String, String)] {
        let micros = String(request.receivedAtMs * 1000)
        return [("X-In-Time", micros), ("X-Out-Time", micros)]
    }
}
