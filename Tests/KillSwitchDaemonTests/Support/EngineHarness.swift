import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
import Logging
import VenueSim

/// A venue-sim on a free loopback port plus a daemon configured with all five venue kinds against it.
struct EngineHarness {
    struct VenueSpec {
        var id: String
        var kind: VenueKind
        var exchange: String
        var market: String
        var symbols: [String]
        var settle: String?
        var productType: String?
    }

    static let specs: [VenueSpec] = [
        VenueSpec(id: "gate-fut", kind: .gateFutures, exchange: "gate", market: "futures", symbols: ["BTC_USDT", "ETH_USDT", "SOL_USDT", "XRP_USDT"], settle: "usdt"),
        VenueSpec(id: "gate-spot", kind: .gateSpot, exchange: "gate", market: "spot", symbols: ["BTC_USDT", "ETH_USDT", "SOL_USDT", "XRP_USDT"]),
        VenueSpec(id: "htx", kind: .htxSpot, exchange: "htx", market: "spot", symbols: ["btcusdt", "ethusdt", "solusdt", "xrpusdt"]),
        VenueSpec(id: "bitget", kind: .bitgetMix, exchange: "bitget", market: "futures", symbols: ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"], productType: "USDT-FUTURES"),
        VenueSpec(id: "binance", kind: .binanceCoinM, exchange: "binance", market: "futures", symbols: ["BTCUSD_PERP", "ETHUSD_PERP", "SOLUSD_PERP", "XRPUSD_PERP"]),
    ]

    let sim: VenueSimulator
    let directory: String
    let configuration: KillSwitchConfiguration
    let credentials: [String: VenueCredentials]

    /// `keep`: keep rules per venue id; `strategies`: a venue entry's own `strategy`. `strategy` is `[engine]
    /// strategy`: by-id unless a test asks for another, so the tests of the by-id fan-out (request counts, one
    /// outcome per order per request, the limiter) keep measuring it; the scope-aware kill's tests choose.
    static func start(simConfiguration: VenueSimConfiguration = VenueSimConfiguration(), badCredentialsFor: Set<String> = [], rules: [RuleDefinition] = [],
                      engine: EngineSettings = EngineSettings(incidentDeadline: .seconds(90), retryInitial: .milliseconds(20), retryMax: .milliseconds(500), safetyMargin: 0, escalateAfter: 3),
                      strategy: CancelStrategy = .byId, keep: [String: KeepRules] = [:], strategies: [String: CancelStrategy] = [:]) async throws -> EngineHarness {
        var engine = engine
        engine.strategy = strategy
        var simConfiguration = simConfiguration
        simConfiguration.logLevel = .critical
        let sim = try await VenueSimulator.start(simConfiguration)
        let directory = NSTemporaryDirectory() + "ks-engine-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var venues: [VenueConfiguration] = []
        var credentials: [String: VenueCredentials] = [:]
        for spec in specs {
            let market = VenueMarket(settle: spec.settle, productType: spec.productType, marginCoin: spec.productType == nil ? nil : "USDT",
                                     accountId: spec.kind == .htxSpot ? "100009" : nil, gateAccount: spec.kind == .gateSpot ? "spot" : nil)
            venues.append(VenueConfiguration(
                descriptor: VenueDescriptor(id: spec.id, kind: spec.kind, account: "main", baseURL: sim.baseURL, market: market, keep: keep[spec.id],
                                            strategy: strategies[spec.id]),
                credentials: .environment(keyVariable: "UNUSED", secretVariable: "UNUSED", passphraseVariable: nil), requestTimeout: .seconds(5)
            ))
            let bad = badCredentialsFor.contains(spec.id)
            credentials[spec.id] = VenueCredentials(apiKey: "test-api-key", secret: bad ? "wrong-secret" : "test-api-secret", passphrase: "test-passphrase")
        }
        let configuration = KillSwitchConfiguration(database: directory + "/ks.db", socket: directory + "/control.sock", engine: engine, venues: venues, rules: rules)
        return EngineHarness(sim: sim, directory: directory, configuration: configuration, credentials: credentials)
    }

    func makeDaemon(environment: [String: String] = [:], warmConnections: Bool = true, rateLimitOverrides: [String: BucketLimit] = [:]) async throws -> Daemon {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let daemon = try await Daemon(configuration: configuration, credentials: credentials,
                                      options: Daemon.Options(environment: environment, rateLimitOverrides: rateLimitOverrides), logger: logger)
        // As the running daemon's maintenance service keeps them: a trip's first burst leaves on warm
        // connections (cold ones spread it over ~100 ms on a loaded machine, and the venue counts arrivals).
        if warmConnections { await daemon.warmVenueConnections() }
        return daemon
    }

    /// Seeds `perVenue` open orders on every venue of the simulator and reports the same orders to the store.
    /// Returns the venue order ids per venue id.
    @discardableResult
    func seed(perVenue: Int, store: Store, venues: [VenueSpec] = EngineHarness.specs, idBase: Int = 1_000_000) async throws -> [String: [String]] {
        var ids: [String: [String]] = [:]
        for (venueIndex, spec) in venues.enumerated() {
            var seeds: [SimOrderSeed] = []
            var events: [OrderEvent] = []
            for i in 0..<perVenue {
                let id = String(idBase + venueIndex * 100_000 + i)
                let symbol = spec.symbols[i % spec.symbols.count]
                let price = String(100 + i % 50)
                // Gate takes a client's own id only with its `t-` prefix (anything else there is an origin label).
                let clientId = (spec.exchange == "gate" ? "t-" : "c-") + id
                seeds.append(SimOrderSeed(exchange: spec.exchange, market: spec.market, settle: spec.settle, productType: spec.productType, symbol: symbol,
                                          id: id, clientOrderId: clientId, side: i % 2 == 0 ? "buy" : "sell", price: price, quantity: "2", apiKey: "test-api-key"))
                events.append(OrderEvent(eventId: "seed-\(spec.id)-\(id)", venueId: spec.id, account: "main", symbol: symbol, venueOrderId: id,
                                         clientOrderId: clientId, status: .acknowledged, side: i % 2 == 0 ? .buy : .sell,
                                         price: DecimalAmount(price), quantity: DecimalAmount("2"), time: nil))
                ids[spec.id, default: []].append(id)
            }
            _ = try await sim.seed(seeds)
            _ = try await store.ingest(events)
        }
        return ids
    }

    func shutdown() async {
        try? await sim.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
