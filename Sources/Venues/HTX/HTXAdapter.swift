import KillSwitchCore

/// HTX spot (`htx-spot`): auth in the query (Signature V2, host-bound), parameters in a JSON body for POST.
struct HTXAdapter: VenueAdapter {
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

    /// The spot account id: cancel-all is refused without it, so it never reaches other accounts.
    func accountId() throws -> String {
        guard let id = descriptor.market.accountId, !id.isEmpty else { throw VenueRequestError.missingMarketParameter("account_id") }
        return id
    }

    func request(_ call: VenueCall, timestampMilliseconds: Int64, hostHeader: String) throws -> SignedRequest {
        switch call {
        case .batchCancel(let batch):
            try checkBatch(batch)
            // One list type per request: order ids, or client order ids when that is all we know.
            // The targets decide (not `byClientId`, which a caller could set inconsistently).
            let byClientId = batch.targets[0].usesClientId
            guard batch.targets.allSatisfy({ $0.usesClientId == byClientId }) else {
                throw VenueRequestError.unsupported("HTX batches carry one id type; split order ids from client ids")
            }
            let key = byClientId ? "client-order-ids" : "order-ids"
            let body = JSONText.object([(key, JSONText.stringArray(batch.targets.map(\.wireId)))])
            return signed("POST", "/v1/order/orders/batchcancel", params: [], body: body, timestampMilliseconds, hostHeader)

        case .cancelAll(let symbol):
            let body = JSONText.object([("account-id", JSONText.string(try accountId())), ("symbol", JSONText.string(symbol))])
            return signed("POST", "/v1/order/orders/batchCancelOpenOrders", params: [], body: body, timestampMilliseconds, hostHeader)

        case .cancelAllOfEntry:
            // Every symbol of the spot account, 100 a call (`size`): the client repeats it until `next-id` is -1.
            let body = JSONText.object([("account-id", JSONText.string(try accountId())), ("size", "100")])
            return signed("POST", "/v1/order/orders/batchCancelOpenOrders", params: [], body: body, timestampMilliseconds, hostHeader)

        case .openOrders(_, _, .state(let state)):
            throw unsupportedLeg(.state(state))

        case .openOrders(let symbol, let cursor, .all):
            var params = [("size", String(min(options.listingPageSize, 500)))]
            if let id = descriptor.market.accountId, !id.isEmpty { params.append(("account-id", id)) }
            if let symbol { params.append(("symbol", symbol)) }
            if let cursor { params.append(contentsOf: [("from", cursor), ("direct", "next")]) }
            return signed("GET", "/v1/order/openOrders", params: params, body: nil, timestampMilliseconds, hostHeader)

        case .countdownCancelAll(let symbol, let timeoutSeconds):
            // HTX's switch covers the whole spot account; refuse a narrower request rather than widen it.
            guard symbol == nil else { throw VenueRequestError.unsupported("HTX cancel-all-after covers the whole account, not one symbol") }
            let body = JSONText.object([("timeout", String(timeoutSeconds))])
            return signed("POST", "/v2/algo-orders/cancel-all-after", params: [], body: body, timestampMilliseconds, hostHeader)

        case .serverTime:
            return SignedRequest(method: "GET", url: baseURL.origin + baseURL.pathPrefix + "/v1/common/timestamp",
                                 headers: [HTTPField("Host", hostHeader)], body: nil)
        }
    }

    /// Auth parameters (plus GET parameters) signed over the Host header value actually sent.
    func signed(_ method: String, _ path: String, params: [(String, String)], body: String?, _ timestampMilliseconds: Int64, _ hostHeader: String) -> SignedRequest {
        let auth = [
            ("AccessKeyId", credentials.apiKey),
            ("SignatureMethod", "HmacSHA256"),
            ("SignatureVersion", "2"),
            ("Timestamp", HTXSigner.timestamp(milliseconds: timestampMilliseconds)),
        ]
        let fullPath = baseURL.pathPrefix + path
        let canonical = HTXSigner.canonicalQuery(auth + params)
        let signature = HTXSigner.signature(secret: credentials.secret, method: method, host: hostHeader, path: fullPath, canonicalQuery: canonical)
        let url = baseURL.origin + fullPath + "?" + canonical + "&Signature=" + PercentEncoding.encode(signature)
        var headers = [HTTPField("Host", hostHeader.lowercased())]
        if body != nil { headers.append(HTTPField("Content-Type", "application/json")) }
        return SignedRequest(method: method, url: url, headers: headers, body: body)
    }
}
