import KillSwitchCore

/// Binance COIN-M futures (`binance-coinm`): everything in the query string, signed as sent; one symbol
/// and one id type per batch; the list is a compact JSON array, percent-encoded.
struct BinanceAdapter: VenueAdapter {
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

    func request(_ call: VenueCall, timestampMilliseconds: Int64, hostHeader: String) throws -> SignedRequest {
        switch call {
        case .batchCancel(let batch):
            try checkBatch(batch)
            // The targets decide (not `byClientId`, which a caller could set inconsistently).
            let byClientId = batch.targets[0].usesClientId
            guard batch.targets.allSatisfy({ $0.usesClientId == byClientId }) else {
                throw VenueRequestError.unsupported("Binance batches carry one id type; split order ids from client ids")
            }
            let list: (String, String)
            if byClientId {
                list = ("origClientOrderIdList", JSONText.stringArray(batch.targets.map(\.wireId)))
            } else {
                // LIST<LONG>: bare numbers.
                for target in batch.targets where target.wireId.isEmpty || !target.wireId.allSatisfy(\.isASCII) || !target.wireId.allSatisfy(\.isNumber) {
                    throw VenueRequestError.invalidOrderId(target.wireId)
                }
                list = ("orderIdList", JSONText.array(batch.targets.map(\.wireId)))
            }
            return signed("DELETE", "/dapi/v1/batchOrders", params: [("symbol", batch.targets[0].symbol), list], timestampMilliseconds)

        case .cancelAll(let symbol):
            return signed("DELETE", "/dapi/v1/allOpenOrders", params: [("symbol", symbol)], timestampMilliseconds)

        case .cancelAllOfEntry:
            throw VenueRequestError.unsupported("Binance COIN-M cancels all open orders per symbol only (allOpenOrders needs symbol)")

        case .openOrders(_, _, .state(let state)):
            throw unsupportedLeg(.state(state))

        case .openOrders(let symbol, _, .all):
            // One answer holds every open order (no paging); weight 1 with a symbol, 40 without.
            return signed("GET", "/dapi/v1/openOrders", params: symbol.map { [("symbol", $0)] } ?? [], timestampMilliseconds)

        case .countdownCancelAll(let symbol, let timeoutSeconds):
            guard let symbol else { throw VenueRequestError.unsupported("Binance countdownCancelAll is per symbol") }
            return signed("POST", "/dapi/v1/countdownCancelAll", params: [("symbol", symbol), ("countdownTime", String(Int64(timeoutSeconds) * 1000))], timestampMilliseconds)

        case .serverTime:
            return SignedRequest(method: "GET", url: baseURL.origin + baseURL.pathPrefix + "/dapi/v1/time", headers: [], body: nil)
        }
    }

    /// `params…&recvWindow=…&timestamp=…&signature=…`, no body; the signature covers the encoded text.
    func signed(_ method: String, _ path: String, params: [(String, String)], _ timestampMilliseconds: Int64) -> SignedRequest {
        let all = params + [("recvWindow", String(options.binanceRecvWindowMilliseconds)), ("timestamp", String(timestampMilliseconds))]
        let totalParams = PercentEncoding.query(all)
        let signature = BinanceSigner.signature(secret: credentials.secret, totalParams: totalParams)
        let url = baseURL.origin + baseURL.pathPrefix + path + "?" + totalParams + "&signature=" + signature
        return SignedRequest(method: method, url: url, headers: [HTTPField("X-MBX-APIKEY", credentials.apiKey)], body: nil)
    }
}
