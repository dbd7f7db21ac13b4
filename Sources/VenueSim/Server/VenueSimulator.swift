import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The five-venue exchange simulator, started in-process on a loopback port.
///
/// ```swift
/// let sim = try await VenueSimulator.start(VenueSimConfiguration(clock: ManualSimClock(milliseconds: 1_700_000_000_000)))
/// defer { try? await sim.shutdown() }   // (call it explicitly from async code)
/// try await sim.seed([...]); // point clients at sim.baseURL
/// ```
public final class VenueSimulator: Sendable {
    let core: SimCore
    public let host: String
    public let port: Int
    private let serviceGroup: ServiceGroup
    private let runTask: Task<Void, Never>

    /// `http://HOST:PORT`.
    public var baseURL: String {
        host.contains(":") ? "http://[\(host)]:\(port)" : "http://\(host):\(port)"
    }

    private init(core: SimCore, host: String, port: Int, serviceGroup: ServiceGroup, runTask: Task<Void, Never>) {
        self.core = core
        self.host = host
        self.port = port
        self.serviceGroup = serviceGroup
        self.runTask = runTask
    }

    /// Binds, starts serving and returns once the port is known.
    public static func start(_ configuration: VenueSimConfiguration) async throws -> VenueSimulator {
        let core = SimCore(configuration: configuration)
        var logger = Logger(label: "venue-sim")
        logger.logLevel = configuration.logLevel
        let started = StartupSignal()
        let application = Application(
            responder: SimResponder(core: core),
            configuration: ApplicationConfiguration(
                address: .hostname(configuration.host, port: configuration.port),
                serverName: nil
            ),
            onServerRunning: { channel in
                started.resolve(.success(channel.localAddress?.port ?? configuration.port))
            },
            logger: logger
        )
        let serviceGroup = ServiceGroup(
            configuration: ServiceGroupConfiguration(services: [application], gracefulShutdownSignals: [], logger: logger)
        )
        let runTask = Task {
            do {
                try await serviceGroup.run()
                started.resolve(.failure(VenueSimError("the server stopped before it was listening")))
            } catch {
                started.resolve(.failure(error))
            }
        }
        let port = try await started.wait()
        return VenueSimulator(core: core, host: configuration.host, port: port, serviceGroup: serviceGroup, runTask: runTask)
    }

    /// Lets go of requests held by timeout faults, then stops the server gracefully.
    public func shutdown() async throws {
        core.shuttingDown.store(true, ordering: .relaxed)
        await serviceGroup.triggerGracefulShutdown()
        await runTask.value
    }

    /// Waits until the server stops (for the executable).
    public func waitUntilStopped() async {
        await runTask.value
    }

    // MARK: Direct equivalents of the admin API

    /// Seeds open orders; the whole batch is refused (nothing seeded) when any order is invalid.
    @discardableResult
    public func seed(_ orders: [SimOrderSeed]) async throws -> Int {
        try core.seed(orders)
    }

    /// `status`: `open`, `cancelled`, `filled` or `all` (nil = all).
    public func orders(exchange: String? = nil, market: String? = nil, status: String? = nil) async -> [SimOrderView] {
        (try? core.orders(exchange: exchange, market: market, status: status)) ?? []
    }

    public func requests(since: Int = 0) async -> [SimRequestLogEntry] {
        core.requests(since: since)
    }

    public func setFaults(_ faults: SimFaults) async throws {
        try core.setFaults(faults)
    }

    public func clearFaults() async {
        core.clearFaults()
    }

    /// Clears orders, the request log, faults, countdowns, rate-limit arrivals and Binance bans.
    public func reset() async {
        core.reset()
    }

    /// Shifts the simulator clock (fire drills); 0 undoes it.
    public func setClockOffset(milliseconds: Int64) async {
        core.clock.setOffset(milliseconds: milliseconds)
    }

    /// The simulator's now (configured clock plus offset), epoch ms.
    public func nowMilliseconds() -> Int64 {
        core.now()
    }

    public func setRateLimits(enabled: Bool) async {
        core.setRateLimits(enabled: enabled)
    }

    public func setRateLimit(_ override: SimRateLimitOverride) async throws {
        try core.addRateLimitOverride(override)
    }

    // MARK: Partial fills, arrivals, bans, countdowns

    /// Fills part of an open order (half of what is left, or `quantity`), leaving it open: a partial fill
    /// (Bitget lists it under `status=partially_filled`). Seed with `SimOrderSeed.filledQuantity` to start so.
    @discardableResult
    public func fill(exchange: String, id: String, quantity: String? = nil) async throws -> SimOrderView {
        try core.fill(exchange: exchange, id: id, quantity: quantity)
    }

    /// Per rate-limit key, the most arrivals (and weight) in any window of the key's published window, from
    /// the request log (`admittedOnly`: leave refused requests out).
    public func arrivalSummaries(since: Int = 0, admittedOnly: Bool = false) async -> [SimArrivalSummary] {
        core.arrivalSummaries(since: since, admittedOnly: admittedOnly)
    }

    /// The most arrivals in any window of `windowMs` (default: the key's published window) among the logged
    /// requests `filter` selects — e.g. `SimArrivalFilter(limitKey: "bitget|futures|uid:10001|/api/v2/mix/order/batch-cancel-orders")`
    /// or `SimArrivalFilter(exchange: "htx", path: "/v1/order/orders/batchcancel")` with `windowMs: 2_000`.
    public func maxArrivals(_ filter: SimArrivalFilter, windowMs: Int64? = nil) async throws -> SimArrivalSummary {
        try core.arrivals(filter, windowMs: windowMs)
    }

    /// Bans a Binance peer IP (nil = every IP) for `milliseconds` of simulator time: each request from it
    /// answers HTTP 418 `-1003` "Way too many requests; IP(…) banned until <ms>…" until then.
    @discardableResult
    public func banBinanceIP(_ ip: String? = nil, forMilliseconds milliseconds: Int64) async throws -> [SimBan] {
        try core.banBinance(ip: ip, durationMs: milliseconds)
    }

    /// The Binance bans in force (earned by repeated 429s or set by `banBinanceIP`).
    public func binanceBans() async -> [SimBan] {
        core.binanceBans()
    }

    public func liftBinanceBans() async {
        core.liftBinanceBans()
    }

    /// The armed countdowns; reading applies any that are due (as the admin API does).
    public func countdowns() async -> [SimCountdownView] {
        core.countdowns()
    }
}

/// Hands the bound port (or the bind error) from the server task to `start`.
private final class StartupSignal: Sendable {
    private struct State {
        var result: Result<Int, any Error>?
        var waiter: CheckedContinuation<Int, any Error>?
    }

    private let state = Mutex(State())

    func resolve(_ result: Result<Int, any Error>) {
        let waiter: CheckedContinuation<Int, any Error>? = state.withLock { state in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    func wait() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Int, any Error>? = state.withLock { state in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
