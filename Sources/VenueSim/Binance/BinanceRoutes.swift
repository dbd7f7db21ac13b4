/// Binance COIN-M futures under `/dapi/v1`. Request weight is counted per peer IP across all accounts
/// (2400 per minute, reported by exchangeInfo); every endpoint, public ones included, counts its weight
/// (docs/venues.md 4c: batch cancel 1, cancel-all 1, open orders 1 with a symbol / 40 without, countdown 10,
/// time 1). Over the limit: 429 -1003; an IP that keeps going is banned (418, see `BinanceBans`).
struct BinanceRoutes: VenueRoutes {
    let exchange = "binance"

    func market(of path: String) -> String { "futures" }

    func serverError(for request: VenueRequest) -> VenueReply {
        BinanceErrors.reply(
            status: 503, code: -1001, message: "Service Unavailable.", verdict: "fault:error", account: nil
        )
    }

    func respond(to request: VenueRequest, core: SimCore, faults: ActiveFaults) -> VenueReply {
        let parameters = BinanceParameters(request: request)
        let handlers = BinanceHandlers()
        let route = "\(request.method) \(request.path)"
        typealias Handler = (VenueRequest, BinanceParameters, SimCore, ActiveFaults, Admitted?) -> VenueReply
        let (weight, isPublic, handler): (Double, Bool, Handler?) = {
            switch route {
            case "DELETE /dapi/v1/batchOrders": return (1, false, handlers.batchCancel)
            case "DELETE /dapi/v1/allOpenOrders": return (1, false, handlers.cancelAll)
            case "GET /dapi/v1/openOrders": return (parameters.value("symbol") == nil ? 40 : 1, false, handlers.openOrders)
            case "POST /dapi/v1/countdownCancelAll": return (10, false, handlers.countdownCancelAll)
            case "GET /dapi/v1/time": return (1, true, handlers.time)
            case "GET /dapi/v1/exchangeInfo": return (1, true, handlers.exchangeInfo)
            default: return (1, true, nil)
            }
        }()
        guard let handler else {
            return BinanceErrors.reply(status: 404, code: -1000, message: "Not Found", verdict: "not-found", account: nil)
        }
        let now = request.receivedAtMs
        let ip = request.remoteAddress
        // An IP ban first: every request from the IP answers 418 until it ends, counting nothing.
        let limitKey = "futures|ip:\(ip)"
        let (check, banEnd) = core.withState(now: now) { state -> (RateLimitCheck?, Int64?) in
            if let end = state.bans.banEnd(ip: ip, now: now) { return (nil, end) }
            let check = state.limiter.draw(
                exchange: "binance", market: "futures", key: "ip:\(ip)", published: .binanceRequestWeight,
                cost: weight, now: now, force: faults.forceRateLimit
            )
            // Real refusals (not the forceRateLimit fault) count towards a ban.
            if !check.allowed, !faults.forceRateLimit, check.key != nil {
                _ = state.bans.recordRefusal(ip: ip, now: now)
            }
            return (check, nil)
        }
        guard let check else {
            let end = banEnd ?? now
            var reply = BinanceErrors.reply(
                status: 418, code: -1003,
                message: "Way too many requests; IP(\(ip)) banned until \(end). Please use the websocket for live updates to avoid bans.",
                verdict: "banned", account: presentedKey(request)
            ).with(headers: [("Retry-After", String((end - now + 999) / 1000))])
            reply.limitKey = "binance|\(limitKey)"
            reply.weight = weight
            return reply
        }
        let usage = [("X-MBX-USED-WEIGHT-1M", String(check.used))]
        guard check.allowed else {
            return BinanceErrors.reply(
                status: 429, code: -1003,
                message: "Too many requests; current limit of IP(\(ip)) request weight is \(check.limit) per minute. Please use WebSocket Streams for live updates to avoid polling the API.",
                verdict: faults.forceRateLimit ? "fault:rate-limit" : "rate-limited", account: presentedKey(request)
            ).with(headers: usage + [("Retry-After", String((check.retryAfterMs + 999) / 1000))]).counted(check, weight: weight)
        }
        if isPublic {
            return handler(request, parameters, core, faults, nil).with(headers: usage).counted(check, weight: weight)
        }
        switch BinanceAuthenticator.authenticate(request, parameters: parameters, core: core) {
        case .refused(let reply):
            return reply.with(headers: usage).counted(check, weight: weight)
        case .accepted(let credentials):
            if let refusal = ReadOnlyKeys.refusal(exchange: exchange, request: request, credentials: credentials) {
                return refusal.with(headers: usage).counted(check, weight: weight)
            }
            var reply = handler(request, parameters, core, faults, Admitted(credentials: credentials, usageHeaders: usage, check: check))
            reply.account = credentials.account.apiKey
            return reply.with(headers: usage).counted(check, weight: weight)
        }
    }
}
