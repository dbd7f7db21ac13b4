import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
import VenueSim

/// One venue entry of the trip benchmarks' book, with the simulator's published limits the bounds are computed from.
public struct BenchVenue: Sendable {
    public var id: String, kind: VenueKind, exchange: String, market: String, symbols: [String], settle: String?, productType: String?
    /// Batch-cancel limit (count or weight per window) and the cancel-all's.
    public var capacity: Double, windowSeconds: Double, cancelAllCapacity: Double, cancelAllWindowSeconds: Double
    /// Requests one open-order listing takes (Bitget lists `live`, then `partially_filled`).
    public var listingLegs: Double
}

/// The book TimeToFlatBenchmark and GlobalKillBenchmark share: the five venue kinds × 4 symbols on venue-sim at
/// 20 ± 5 ms with its strict limits, the engine at safety margin 0 with a jitter allowance equal to the simulator's
/// tolerance, the whole daemon running.
public enum BenchBook {
    public static let venues: [BenchVenue] = [
        BenchVenue(id: "gate-fut", kind: .gateFutures, exchange: "gate", market: "futures", symbols: ["BTC_USDT", "ETH_USDT", "SOL_USDT", "XRP_USDT"], settle: "usdt",
                   productType: nil, capacity: 200, windowSeconds: 1, cancelAllCapacity: 200, cancelAllWindowSeconds: 1, listingLegs: 1),
        BenchVenue(id: "gate-spot", kind: .gateSpot, exchange: "gate", market: "spot", symbols: ["BTC_USDT", "ETH_USDT", "SOL_USDT", "XRP_USDT"], settle: nil,
                   productType: nil, capacity: 200, windowSeconds: 1, cancelAllCapacity: 200, cancelAllWindowSeconds: 1, listingLegs: 1),
        BenchVenue(id: "htx", kind: .htxSpot, exchange: "htx", market: "spot", symbols: ["btcusdt", "ethusdt", "solusdt", "xrpusdt"], settle: nil,
                   productType: nil, capacity: 50, windowSeconds: 2, cancelAllCapacity: 50, cancelAllWindowSeconds: 2, listingLegs: 1),
        BenchVenue(id: "bitget", kind: .bitgetMix, exchange: "bitget", market: "futures", symbols: ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"], settle: nil,
                   productType: "USDT-FUTURES", capacity: 10, windowSeconds: 1, cancelAllCapacity: 10, cancelAllWindowSeconds: 1, listingLegs: 2),
        BenchVenue(id: "binance", kind: .binanceCoinM, exchange: "binance", market: "futures", symbols: ["BTCUSD_PERP", "ETHUSD_PERP", "SOLUSD_PERP", "XRPUSD_PERP"],
                   settle: nil, productType: nil, capacity: 2400, windowSeconds: 60, cancelAllCapacity: 2400, cancelAllWindowSeconds: 60, listingLegs: 1),
    ]
    public static let latencyMs = 20, jitterMs = 5
    /// HTX answers a cancel "submitted" and works through it: the simulator's delay before it is gone.
    public static let htxDelayMs = 50.0
    public static let jitterAllowance = Duration.milliseconds(10)
    public static var rtt: Double { Double(latencyMs) / 1_000 }

    /// `--orders N` (default 10,000).
    public static func totalOrders(_ arguments: [String]) -> Int {
        arguments.firstIndex(of: "--orders").flatMap { arguments.count > $0 + 1 ? Int(arguments[$0 + 1]) : nil } ?? 10_000
    }

    public static func simulatorConfiguration() -> VenueSimConfiguration {
        var configuration = VenueSimConfiguration()
        configuration.latencyMs = latencyMs
        configuration.jitterMs = jitterMs
        configuration.rateLimitToleranceMs = jitterAllowance.nanoseconds / 1_000_000
        configuration.requestLogCapacity = 1_000_000
        configuration.logLevel = .critical
        return configuration
    }

    /// Every venue entry configured against the simulator with the test keys (`dms`: each entry's countdown, if any).
    public static func venueConfigurations(baseURL: String, dms: (BenchVenue) -> CountdownSettings? = { _ in nil })
        -> (venues: [VenueConfiguration], credentials: [String: VenueCredentials]) {
        var configured: [VenueConfiguration] = []
        var credentials: [String: VenueCredentials] = [:]
        for v in venues {
            let market = VenueMarket(settle: v.settle, productType: v.productType, marginCoin: v.productType == nil ? nil : "USDT",
                                     accountId: v.kind == .htxSpot ? "100009" : nil, gateAccount: v.kind == .gateSpot ? "spot" : nil)
            configured.append(VenueConfiguration(descriptor: VenueDescriptor(id: v.id, kind: v.kind, account: "main", baseURL: baseURL, market: market),
                                                 credentials: .environment(keyVariable: "-", secretVariable: "-", passphraseVariable: nil), requestTimeout: .seconds(5),
                                                 dms: dms(v)))
            credentials[v.id] = VenueCredentials(apiKey: "test-api-key", secret: "test-api-secret", passphrase: "test-passphrase")
        }
        return (configured, credentials)
    }

    public static func engineSettings(strategy: CancelStrategy) -> EngineSettings {
        var engine = EngineSettings(incidentDeadline: .seconds(600), retryInitial: .milliseconds(60), retryMax: .seconds(1), safetyMargin: 0, escalateAfter: 3,
                                    rateLimitJitter: jitterAllowance)
        engine.strategy = strategy
        return engine
    }

    /// Seeds `perVenue` orders per venue entry, resting on the simulator and tracked in the store (`symbol`: the
    /// symbol of the entry's i-th order); returns the batch cancels each entry needs by id.
    public static func seed(perVenue: Int, sim: VenueSimulator, store: Store, symbol: (BenchVenue, Int) -> String) async throws -> [String: Int] {
        var requestsPerVenue: [String: Int] = [:]
        for (index, v) in venues.enumerated() {
            var seeds: [SimOrderSeed] = [], events: [OrderEvent] = []
            for i in 0..<perVenue {
                let id = String(1_000_000 * (index + 1) + i), symbol = symbol(v, i)
                seeds.append(SimOrderSeed(exchange: v.exchange, market: v.market, settle: v.settle, productType: v.productType, symbol: symbol, id: id,
                                          side: "buy", price: "100", quantity: "1", apiKey: "test-api-key", account: v.kind == .gateSpot ? "spot" : nil))
                events.append(OrderEvent(eventId: "e\(id)", venueId: v.id, account: "main", symbol: symbol, venueOrderId: id, clientOrderId: nil,
                                         status: .acknowledged, side: .buy, price: DecimalAmount("100"), quantity: DecimalAmount("1")))
            }
            for chunk in stride(from: 0, to: seeds.count, by: 5_000) {
                _ = try await sim.seed(Array(seeds[chunk..<min(chunk + 5_000, seeds.count)]))
                _ = try await store.ingest(Array(events[chunk..<min(chunk + 5_000, events.count)]))
            }
            let perSymbol = perVenue / v.symbols.count
            requestsPerVenue[v.id] = v.kind.batchIsPerSymbol ? v.symbols.count * ((perSymbol + v.kind.batchLimit - 1) / v.kind.batchLimit)
                                                             : (perVenue + v.kind.batchLimit - 1) / v.kind.batchLimit
        }
        return requestsPerVenue
    }

    /// Runs the whole daemon, as `killswitch run` does (its warm-up and maintenance keep the pools warm), and returns
    /// once its control socket listens and its pools are warm.
    public static func run(_ daemon: Daemon, socket: String) async throws -> Task<Void, any Error> {
        let running = Task { try await daemon.run() }
        while !FileManager.default.fileExists(atPath: socket) { try await Task.sleep(for: .milliseconds(20)) }
        await daemon.warmVenueConnections()
        return running
    }

    /// The daemon's first armed check (a listing and one cancel probe per venue account) runs at start. A trip in
    /// the same window finds one token of that window spent — a real daemon trips at a random point of its
    /// 3-minute armed-check cycle — so this waits for the check, then for the longest limit window (HTX's 2 s).
    public static func waitPastTheArmedCheck(_ daemon: Daemon) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let venues = (try? await daemon.statusReport().venues) ?? []
            if !venues.isEmpty, venues.allSatisfy({ $0.armedCheckAt != nil }) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(2_100))
    }

    /// Seconds until the last of `requests` may leave under a limit of `capacity` per `window`: every window after
    /// the first opens W + J after the request it replaces was over (one step is W + J + rtt).
    public static func drain(_ requests: Double, capacity: Double, window: Double) -> Double {
        max(0, (requests / capacity).rounded(.up) - 1) * (window + jitterAllowance.seconds + rtt)
    }

    /// A graceful stop, as SIGTERM gives the running daemon, then the simulator's.
    public static func stop(_ running: Task<Void, any Error>, sim: VenueSimulator, directory: String) async throws {
        kill(getpid(), SIGTERM)
        _ = try? await running.value
        try await sim.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
