import KillSwitchCore

/// Bitget v2 mix (`bitget-mix`): headers carry key, signature, ms timestamp and passphrase; one symbol
/// per batch; each item is `{orderId}` or `{clientOid}`.
struct BitgetAdapter: VenueAdapter {
    let descriptor: VenueDescriptor
    let credentials: VenueCredentials
    let options: VenueRequestOptions
    let baseURL: VenueBaseURL

    init(descriptor: VenueDescriptor, credentials: VenueCredentials, options: VenueRequestOptions) throws {
        self.descriptor = descriptor
        self.credentials = credentials
        self.options = options
        baseURL = try VenueBaseURL(descriptor.baseURL)
    }

    /// orders-pending lists one `status` per read, and what it lists without one is UNVERIFIED: both states,
    /// `live` first (an order only moves from live to partially filled, so none slips between the reads).
    var listingLegs: [ListingLeg] { [.state("live"), .state("partially_filled")] }

    func productType() throws -> String {
        guard let type = descriptor.market.productType, !type.isEmpty else { throw VenueRequestError.missingMarketParameter("product_type") }
        return type
    }

    /// `{symbol, productType, marginCoin?}` in that order, then whatever follows.
    func scopeMembers(symbol: String) throws -> [(String, String)] {
        var members = [("symbol", JSONText.string(symbol)), ("productType", JSONText.string(try productType()))]
        if let coin = descriptor.market.marginCoin, !coin.isEmpty { members.append(("marginCoin", JSONText.string(coin))) }
        return members
    }

    func request(_ call: VenueCall, timestampMilliseconds: Int64, hostHeader: String) throws -> SignedRequest {
        switch call {
        case .batchCancel(let batch):
            try checkBatch(batch)
            let items = batch.targets.map { target in
                target.usesClientId
                    ? JSONText.object([("clientOid", JSONText.string(target.wireId))])
                    : JSONText.object([("orderId", JSONText.string(target.wireId))])
            }
            let body = JSONText.object(try scopeMembers(symbol: batch.targets[0].symbol) + [("orderIdList", JSONText.array(items))])
            return signed("POST", "/api/v2/mix/order/batch-cancel-orders", query: [], body: body, timestampMilliseconds)

        case .cancelAll(let symbol):
            // The batch-cancel endpoint without an id list cancels by product type and symbol: never the
            // whole product type (cancel-all-orders would be).
            let body = JSONText.object(try scopeMembers(symbol: symbol))
            return signed("POST", "/api/v2/mix/order/batch-cancel-orders", query: [], body: body, timestampMilliseconds)

        case .cancelAllOfEntry:
            // The whole product type: whether `marginCoin` narrows it is UNVERIFIED, so it is treated as not
            // narrowing (the eligibility check asks for the only entry on the product type), but still sent.
            var members = [("productType", JSONText.string(try productType()))]
            if let coin = descriptor.market.marginCoin, !coin.isEmpty { members.append(("marginCoin", JSONText.string(coin))) }
            return signed("POST", "/api/v2/mix/order/cancel-all-orders", query: [], body: JSONText.object(members), timestampMilliseconds)

        case .openOrders(let symbol, let cursor, let leg):
            var query: [(String, String)] = []
            if let cursor { query.append(contentsOf: [("idLessThan", cursor), ("limit", String(min(options.listingPageSize, 100)))]) }
            query.append(("productType", try productType()))
            if case .state(let state) = leg { query.append(("status", state)) }
            if let symbol { query.append(("symbol", symbol)) }
            return signed("GET", "/api/v2/mix/order/orders-pending", query: query, body: nil, timestampMilliseconds)

        case .countdownCancelAll:
            throw VenueRequestError.unsupported("Bitget classic v2 mix has no countdown cancel-all")

        case .serverTime:
            return SignedRequest(method: "GET", url: baseURL.origin + baseURL.pathPrefix + "/api/v2/public/time", headers: [], body: nil)
        }
    }

    func signed(_ method: String, _ path: String, query: [(String, String)], body: String?, _ timestampMilliseconds: Int64) -> SignedRequest {
        let fullPath = baseURL.pathPrefix + path
        let timestamp = String(timestampMilliseconds)
        let encoded = PercentEncoding.query(query)
        let sign = BitgetSigner.signature(secret: credentials.secret, timestamp: timestamp, method: method, path: fullPath, query: encoded, body: body ?? "")
        var headers = [
            HTTPField("ACCESS-KEY", credentials.apiKey),
            HTTPField("ACCESS-SIGN", sign),
            HTTPField("ACCESS-TIMESTAMP", timestamp),
            HTTPField("ACCESS-PASSPHRASE", credentials.passphrase ?? ""),
        ]
        headers.append(HTTPField("Content-Type", "application/json"))
        headers.append(HTTPField("locale", "en-US"))
        return SignedRequest(method: method, url: baseURL.origin + fullPath + (encoded.isEmpty ? "" : "?" + encoded), headers: headers, body: body)
    }
}
