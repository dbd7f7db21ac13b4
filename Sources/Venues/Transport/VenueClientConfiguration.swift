/// Transport settings for one venue client (from the daemon's config). Keep-warm and armed-check
/// intervals are the daemon's (`[maintenance]`, `VenueMaintenanceService`), which also owns their rate budget.
public struct VenueClientConfiguration: Sendable, Hashable {
    /// Whole-request timeout (connect, send, answer head and body), in ms.
    public var requestTimeoutMilliseconds: Int64
    /// Largest answer body read, in bytes (a bigger one is cut and counts as unreadable).
    public var maxResponseBytes: Int
    /// Safety bound on listing pages and on HTX's cancel-all rounds.
    public var maxPages: Int
    public var requestOptions: VenueRequestOptions

    public init(
        requestTimeoutMilliseconds: Int64 = 2000,
        maxResponseBytes: Int = 8 * 1024 * 1024,
        maxPages: Int = 50,
        requestOptions: VenueRequestOptions = VenueRequestOptions()
    ) {
        self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        self.maxResponseBytes = maxResponseBytes
        self.maxPages = maxPages
        self.requestOptions = requestOptions
    }
}
