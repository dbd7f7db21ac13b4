/// Bitget v2 mix (classic futures) under `/api/v2/mix/order`, and `/api/v2/public/time`.
struct BitgetRoutes: VenueRoutes {
    let exchange = "bitget"

    func market(of path: String) -> String { "futures" }

    func serverError(for request: VenueRequest) -> VenueReply {
        BitgetErrors.reply(
            status: 500, code: "40015", message: "System abnormal, please try again later", verdict: "fault:error", account: nil,
            now: request.receivedAtMs
        )
    }

    func respond(to request: VenueRequest, core: SimCore, faults: ActiveFaults) -> VenueReply {
        let now = request.receivedAtMs
        let route = "\(request.method) \(request.path)"
        if route == "GET /api/v2/public/time" {
            return VenueReply(status: 200, json: BitgetErrors.success(.object([("serverTime", .string(String(now)))]), now: now), verdict: "ok")
        }
        let handlers = BitgetHandlers()
        let handler: ((VenueRequest, SimCore, ActiveFaults, Admitted) -> VenueReply)?
        switch route {
        case "POST /api/v2/mix/order/batch-cancel-orders": handler = handlers.batchCancel
        case "POST /api/v2/mix/order/cancel-all-orders": handler = handlers.cancelAll
        case "GET /api/v2/mix/order/orders-pending": handler = handlers.ordersPending
        default: handler = nil
        }
        guard let handler else {
            return BitgetErrors.reply(status: 404, code: "40404", message: "Request URL NOT FOUND", verdict: "not-found", account: nil, now: now)
        }
        switch BitgetAuthenticator.authenticate(request, core: core) {
        case .refused(let reply):
            return reply
        case .accepted(let credentials):
            // Per UID, per endpoint: batch cancel, cancel-all and orders-pending each 10/s (docs/venues.md 3c).
            let check = core.withState(now: now) { state in
                state.limiter.draw(
                    exchange: "bitget", market: "futures", key: "\(credentials.owner)|\(request.path)",
                    published: .bitgetPerEndpoint, cost: 1, now: now, force: faults.forceRateLimit
                )
            }
            guard check.allowed else {
                // No usage headers are documented for Bitget.
                return BitgetErrors.reply(
                    status: 429, code: "429", message: "Too Many Requests",
                    verdict: faults.forceRateLimit ? "fault:rate-limit" : "rate-limited", account: credentials.account.apiKey, now: now
                ).counted(check, weight: 1)
            }
            if let refusal = ReadOnlyKeys.refusal(exchange: exchange, request: request, credentials: credentials) {
                return refusal.counted(check, weight: 1)
            }
            var reply = handler(request, core, faults, Admitted(credentials: credentials, usageHeaders: [], check: check))
            reply.account = credentials.account.apiKey
            return reply.counted(check, weight: 1)
        }
    }
}
