/// Binance COIN-M futures under `/dapi/v1`. Request weight is one bucket per peer IP shared by all accounts
/// (2400 per minute, reported by exchangeInfo); every endpoint, public ones included, draws its weight.
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
        let check = core.withState(now: now) { state in
            state.limiter.draw(
                exchange: "binance", market: "futures", bucket: "ip:\(request.remoteAddress)", published: .binanceRequestWeight,
                cost: weight, now: now, force: faults.forceRateLimit
            )
        }
        let usage = [("X-MBX-USED-WEIGHT-1M", String(check.used))]
        guard check.allowed else {
            return BinanceErrors.reply(
                status: 429, code: -1003,
                message: "Too many requests; current limit of IP(\(request.remoteAddress)) request weight is \(check.limit) per minute. Please use WebSocket Streams for live updates to avoid polling the API.",
                verdict: faults.forceRateLimit ? "fault:rate-limit" : "rate-limited", account: presentedKey(request)
            ).with(headers: usage + [("Retry-After", String((check.retryAfterMs + 999) / 1000))])
        }
        if isPublic {
            return handler(request, parameters, core, faults, nil).with(headers: usage)
        }
        switch BinanceAuthenticator.authenticate(request, parameters: parameters, core: core) {
        case .refused(let reply):
            return reply.with(headers: usage)
        case .accepted(let credentials):
            var reply = handler(request, parameters, core, faults, Admitted(credentials: credentials, usageHeaders: usage))
            reply.account = credentials.account.apiKey
            return reply.with(headers: usage)
        }
    }
}
