/// Transport and housekeeping settings for one venue client (from the daemon's config).
public struct VenueClientConfiguration: Sendable, Hashable {
    /// Whole-request timeout (connect, send, answer head and body), in ms.
    public var requestTimeoutMilliseconds: Int64
    /// How often `runMaintenance` makes a cheap call (the public time endpoint) to keep the connection warm
    /// and the clock offset fresh, in seconds.
    public var keepWarmIntervalSeconds: Int64
    /// How often `runMaintenance` repeats the signed armed check, in seconds.
    public var armedCheckIntervalSeconds: Int64
    /// Largest answer body read, in bytes (a bigger one is cut and counts as unreadable).
    public var maxResponseBytes: Int
    /// Safety bound on listing pages and on HTX's cancel-all rounds.
    public var maxPages: Int
    public var requestOptions: VenueRequestOptions

    public init(
        requestTimeoutMilliseconds: Int64 = 2000,
        keepWarmIntervalSeconds: Int64 = 15,
        armedCheckIntervalSeconds: Int64 = 180,
        maxResponseBytes: Int = 8 * 1024 * 1024,
        maxPages: Int = 50,
        requestOptions: VenueRequestOptions = VenueRequestOptions()
    ) {
        self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
        self.keepWarmIntervalSeconds = keepWarmIntervalSeconds
        self.armedCheckIntervalSeconds = armedCheckIntervalSeconds
        self.maxResponseBytes = maxResponseBytes
        self.maxPages = maxPages
        self.requestOptions = requestOptions
    }
}
