/// HTX spot: `/v1/order/...`, `/v2/algo-orders/cancel-all-after`, `/v1/account/accounts`, `/v1/common/timestamp`.
struct HTXRoutes: VenueRoutes {
    let exchange = "htx"

    func market(of path: String) -> String { "spot" }

    func serverError(for request: VenueRequest) -> VenueReply {
        HTXErrors.serverError(v2: request.path.hasPrefix("/v2/"))
    }

    func respond(to request: VenueRequest, core: SimCore, faults: ActiveFaults) -> VenueReply {
        let route = "\(request.method) \(request.path)"
        if route == "GET /v1/common/timestamp" {
            return VenueReply(status: 200, json: .object([("status", .string("ok")), ("data", .int(request.receivedAtMs))]), verdict: "ok")
        }
        let handlers = HTXHandlers()
        let handler: ((VenueRequest, SimCore, ActiveFaults, Admitted) -> VenueReply)?
        var limited = true
        switch route {
        case "POST /v1/order/orders/batchcancel": handler = handlers.batchCancel
        case "GET /v1/order/openOrders": handler = handlers.openOrders
        case "POST /v1/order/orders/batchCancelOpenOrders": handler = handlers.batchCancelOpenOrders
        // Its own limit is not in docs/venues.md (UNVERIFIED): not counted.
        case "POST /v2/algo-orders/cancel-all-after": handler = handlers.cancelAllAfter; limited = false
        // 100 per 2 s per the HTX page; not counted here (read once by `killswitch venue check`).
        case "GET /v1/account/accounts": handler = handlers.accounts; limited = false
        default: handler = nil
        }
        let v2 = request.path.hasPrefix("/v2/")
        guard let handler else {
            return v2
                ? HTXErrors.v2(404, "Not found", verdict: "not-found", account: nil, status: 404)
                : HTXErrors.v1("invalid-request", "invalid request path", verdict: "not-found", account: nil, status: 404)
        }
        switch HTXAuthenticator.authenticate(request, core: core, v2: v2) {
        case .refused(let reply):
            return reply
        case .accepted(let credentials):
            var headers: [(String, String)] = []
            var passed: RateLimitCheck?
            if limited {
                let now = request.receivedAtMs
                // Per UID across all its keys, per endpoint (docs/venues.md 2c).
                let check = core.withState(now: now) { state in
                    state.limiter.draw(
                        exchange: "htx", market: "spot", key: "\(credentials.owner)|\(request.path)",
                        published: .htxPerEndpoint, cost: 1, now: now, force: faults.forceRateLimit
                    )
                }
                headers = [
                    ("X-HB-RateLimit-Requests-Remain", String(check.remaining)),
                    // Unit UNVERIFIED (docs/venues.md 2c); epoch ms at which the oldest arrival in the window leaves it.
                    ("X-HB-RateLimit-Requests-Expire", String(check.windowClearsAtMs)),
                ]
                guard check.allowed else {
                    var reply = HTXErrors.tooManyRequests(
                        v2: v2, account: credentials.account.apiKey, status: core.configuration.compatibility.htxRateLimitHTTPStatus
                    )
                    if faults.forceRateLimit { reply.verdict = "fault:rate-limit" }
                    return reply.with(headers: headers).counted(check, weight: 1)
                }
                passed = check
            }
            if let refusal = ReadOnlyKeys.refusal(exchange: exchange, request: request, credentials: credentials) {
                return refusal.with(headers: headers).counted(passed, weight: 1)
            }
            var reply = handler(request, core, faults, Admitted(credentials: credentials, usageHeaders: headers, check: passed))
            reply.account = credentials.account.apiKey
            return reply.with(headers: headers).counted(passed, weight: 1)
        }
    }
}
