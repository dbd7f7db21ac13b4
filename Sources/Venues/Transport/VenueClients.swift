import AsyncHTTPClient
import KillSwitchCore
import Logging

/// Builds the client for a venue account. One `HTTPClient` is shared by all venues (keep-alive pools
/// per host); the caller owns and shuts it down.
public enum VenueClients {
    public static func make(
        descriptor: VenueDescriptor,
        credentials: VenueCredentials,
        httpClient: HTTPClient,
        configuration: VenueClientConfiguration = VenueClientConfiguration(),
        clock: VenueClock = VenueClock(),
        logger: Logger = Logger(label: "killswitch.venues")
    ) throws -> HTTPVenueClient {
        let adapter = try VenueRequests.makeAdapter(descriptor: descriptor, credentials: credentials, options: configuration.requestOptions)
        return HTTPVenueClient(adapter: adapter, credentials: credentials, httpClient: httpClient, configuration: configuration, clock: clock, logger: logger)
    }

    /// A shared client tuned for cancels: keep-alive pool, connect timeout bounded by the request timeout.
    public static func makeSharedHTTPClient(connectTimeoutMilliseconds: Int64 = 2000) -> HTTPClient {
        var config = HTTPClient.Configuration()
        config.timeout.connect = .milliseconds(connectTimeoutMilliseconds)
        config.connectionPool.idleTimeout = .seconds(120)
        config.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }
}
