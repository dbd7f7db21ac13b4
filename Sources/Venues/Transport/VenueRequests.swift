import KillSwitchCore

/// The pure half of every adapter: request building and answer reading with no I/O, used by the CLI
/// (`killswitch venue request`), the tests and `HTTPVenueClient` alike.
public enum VenueRequests {
    /// Builds the exact request for `call`. `timestampMilliseconds` is already clock-corrected;
    /// `hostHeader` defaults to the base URL's (HTX signs it, so it must be the value actually sent).
    public static func build(
        _ call: VenueCall,
        descriptor: VenueDescriptor,
        credentials: VenueCredentials,
        timestampMilliseconds: Int64,
        hostHeader: String? = nil,
        options: VenueRequestOptions = VenueRequestOptions()
    ) throws -> SignedRequest {
        let adapter = try makeAdapter(descriptor: descriptor, credentials: credentials, options: options)
        return try adapter.request(call, timestampMilliseconds: timestampMilliseconds, hostHeader: hostHeader ?? adapter.baseURL.hostHeader)
    }

    /// Reads a batch-cancel answer into one outcome per target (never throws: unreadable answers become
    /// `unknown` or `retryable`).
    public static func outcomes(
        of answer: VenueHTTPAnswer,
        for batch: CancelBatch,
        descriptor: VenueDescriptor
    ) throws -> [OrderCancelOutcome] {
        let adapter = try makeAdapter(descriptor: descriptor, credentials: VenueCredentials(apiKey: "", secret: ""), options: VenueRequestOptions())
        return adapter.classifyBatch(answer, batch: batch).outcomes
    }

    static func makeAdapter(descriptor: VenueDescriptor, credentials: VenueCredentials, options: VenueRequestOptions) throws -> any VenueAdapter {
        switch descriptor.kind {
        case .gateFutures, .gateSpot: try GateAdapter(descriptor: descriptor, credentials: credentials, options: options)
        case .htxSpot: try HTXAdapter(descriptor: descriptor, credentials: credentials, options: options)
        case .bitgetMix: try BitgetAdapter(descriptor: descriptor, credentials: credentials, options: options)
        case .binanceCoinM: try BinanceAdapter(descriptor: descriptor, credentials: credentials, options: options)
        }
    }
}
