import AsyncHTTPClient
import KillSwitchCore
import Logging

/// Builds the client for a venue account. The daemon gives each venue account its own `HTTPClient` (see
/// `makeSharedHTTPClient`); the caller owns and shuts it down.
public enum VenueClients {
    public static func make(
        descriptor: VenueDescriptor,
        credentials: VenueCredentials,
        httpClient: HTTPClient,
        configuration: VenueClientConfiguration = VenueClientConfiguration(),
        clock: VenueClock = VenueClock(),
        admission: (any RequestAdmission)? = nil,
        logger: Logger = Logger(label: "killswitch.venues")
    ) throws -> HTTPVenueClient {
        let adapter = try VenueRequests.makeAdapter(descriptor: descriptor, credentials: credentials, options: configuration.requestOptions)
        return HTTPVenueClient(adapter: adapter, credentials: credentials, httpClient: httpClient, configuration: configuration, clock: clock,
                               admission: admission, logger: logger)
    }

    /// Keep-alive connections one client may open per host. AsyncHTTPClient's default (8) would make a
    /// fan-out wait on earlier answers while the bucket still has budget: Gate allows 200 cancels at once,
    /// Binance's weight allows hundreds; at 50 ms a round trip, 8 connections carry only 160 requests/s.
    public static let connectionsPerHost = 256

    /// A client tuned for cancels: a keep-alive pool wide enough to pipeline a whole bucket, connect timeout
    /// bounded by the request timeout. Give each venue account its own, so one venue's burst (or a hung
    /// venue's open connections) never queues another venue's cancels in a shared per-host pool — Gate
    /// futures and spot share a host, and in tests and drills every venue is the one simulator.
    public static func makeSharedHTTPClient(connectTimeoutMilliseconds: Int64 = 2000, connectionsPerHost: Int = connectionsPerHost) -> HTTPClient {
        var config = HTTPClient.Configuration()
        config.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = connectionsPerHost
        config.timeout.connect = .milliseconds(connectTimeoutMilliseconds)
        config.connectionPool.idleTimeout = .seconds(120)
        config.decompression = .disabled
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }
}
