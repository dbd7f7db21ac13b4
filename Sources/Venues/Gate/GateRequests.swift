import KillSwitchCore

/// Gate request building (docs/venues.md §1a, §1b, §1e): JSON bodies, query keys sorted, the decoded query signed.
extension GateAdapter {
    func request(_ call: VenueCall, timestampMilliseconds: Int64, hostHeader: String) throws -> SignedRequest {
        switch call {
        case .batchCancel(let batch):
            try checkBatch(batch)
            if isFutures {
                let body = JSONText.stringArray(batch.targets.map(\.wireId))
                return signed("POST", "/futures/\(try settle())/batch_cancel_orders", query: [], body: body, timestampMilliseconds)
            }
            let items = batch.targets.map { target -> String in
                var members = [("currency_pair", JSONText.string(target.symbol)), ("id", JSONText.string(target.wireId))]
                if let account = spotAccount { members.append(("account", JSONText.string(account))) }
                return JSONText.object(members)
            }
            return signed("POST", "/spot/cancel_batch_orders", query: [], body: JSONText.array(items), timestampMilliseconds)

        case .cancelAll(let symbol):
            // Never wider than asked: always the one contract / pair, and the spot account when configured.
            if isFutures {
                return signed("DELETE", "/futures/\(try settle())/orders", query: [("contract", symbol)], body: nil, timestampMilliseconds)
            }
            var query = [("currency_pair", symbol)]
            if let account = spotAccount { query.append(("account", account)) }
            return signed("DELETE", "/spot/orders", query: query, body: nil, timestampMilliseconds)

        case .cancelAllOfEntry:
            // Every contract of the settle; on spot every pair of the configured account (never without it:
            // Gate would then reach spot, margin and unified orders alike).
            if isFutures {
                return signed("DELETE", "/futures/\(try settle())/orders", query: [], body: nil, timestampMilliseconds)
            }
            guard let account = spotAccount else { throw VenueRequestError.missingMarketParameter("gate_account") }
            return signed("DELETE", "/spot/orders", query: [("account", account)], body: nil, timestampMilliseconds)

        case .openOrders(_, _, .state(let state)):
            throw unsupportedLeg(.state(state))

        case .openOrders(let symbol, let cursor, .all):
            let limit = String(options.listingPageSize)
            if isFutures {
                var query = [("status", "open"), ("limit", limit)]
                if let symbol { query.append(("contract", symbol)) }
                if let cursor { query.append(("offset", cursor)) }
                return signed("GET", "/futures/\(try settle())/orders", query: query, body: nil, timestampMilliseconds)
            }
            var query = [("limit", limit), ("page", cursor ?? "1")]
            if let account = spotAccount { query.append(("account", account)) }
            if let symbol {
                query.append(contentsOf: [("currency_pair", symbol), ("status", "open")])
                return signed("GET", "/spot/orders", query: query, body: nil, timestampMilliseconds)
            }
            return signed("GET", "/spot/open_orders", query: query, body: nil, timestampMilliseconds)

        case .countdownCancelAll(let symbol, let timeoutSeconds):
            var members = [("timeout", String(timeoutSeconds))]
            if isFutures {
                if let symbol { members.append(("contract", JSONText.string(symbol))) }
                return signed("POST", "/futures/\(try settle())/countdown_cancel_all", query: [], body: JSONText.object(members), timestampMilliseconds)
            }
            if let symbol { members.append(("currency_pair", JSONText.string(symbol))) }
            return signed("POST", "/spot/countdown_cancel_all", query: [], body: JSONText.object(members), timestampMilliseconds)

        case .serverTime:
            let path = baseURL.pathPrefix + GateAdapter.apiRoot + "/spot/time"
            return SignedRequest(method: "GET", url: baseURL.origin + path, headers: [HTTPField("Accept", "application/json")], body: nil)
        }
    }

    /// Signs and assembles one private request. `Timestamp` is whole seconds (the SDK's fractional form
    /// is accepted by Gate too, but integers make the signature reproducible).
    func signed(_ method: String, _ path: String, query: [(String, String)], body: String?, _ timestampMilliseconds: Int64) -> SignedRequest {
        let fullPath = baseURL.pathPrefix + GateAdapter.apiRoot + path
        let sorted = query.sorted { $0.0 < $1.0 }
        let timestamp = String(timestampMilliseconds / 1000)
        let sign = GateSigner.signature(secret: credentials.secret, method: method, path: fullPath, rawQuery: PercentEncoding.rawQuery(sorted), body: body ?? "", timestamp: timestamp)
        let url = baseURL.origin + fullPath + (sorted.isEmpty ? "" : "?" + PercentEncoding.query(sorted))
        let headers = [
            HTTPField("KEY", credentials.apiKey),
            HTTPField("Timestamp", timestamp),
            HTTPField("SIGN", sign),
            HTTPField("Content-Type", "application/json"),
            HTTPField("Accept", "application/json"),
        ]
        return SignedRequest(method: method, url: url, headers: headers, body: body)
    }
}
