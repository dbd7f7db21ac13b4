import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
import Logging
import VenueSim

// Time to flat: trip → the final listing shows nothing open, for 10,000 orders over the five venue kinds and
// 4 symbols each, against venue-sim with 20 ms ± 5 ms latency and its default limits, safety margin 0 —
// against the lower bound computed in the same run from the simulator's configured limits: per venue,
// max(0, requests − capacity) / refill rate + one round trip for the cancels + one for the final listing
// (HTX: + its "submitted" delay and the verification listing); the bound is the slowest venue.

struct Venue {
    var id: String, kind: VenueKind, exchange: String, market: String, symbols: [String], settle: String?, productType: String?
    /// The simulator's published cancel bucket for this venue (capacity per window).
    var capacity: Double, windowSeconds: Double
}

let venues = [
    Venue(id: "gate-fut", kind: .gateFutures, exchange: "gate", market: "futures", symbols: ["BTC_USDT", "ETH_USDT", "SOL_USDT", "XRP_USDT"], settle: "usdt", productType: nil, capacity: 200, windowSeconds: 1),
    Venue(id: "gate-spot", kind: .gateSpot, exchange: "gate", market: "spot", symbols: ["BTC_USDT", "ETH_USDT", "SOL_USDT", "XRP_USDT"], settle: nil, productType: nil, capacity: 200, windowSeconds: 1),
    Venue(id: "htx", kind: .htxSpot, exchange: "htx", market: "spot", symbols: ["btcusdt", "ethusdt", "solusdt", "xrpusdt"], settle: nil, productType: nil, capacity: 50, windowSeconds: 2),
    Venue(id: "bitget", kind: .bitgetMix, exchange: "bitget", market: "futures", symbols: ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"], settle: nil, productType: "USDT-FUTURES", capacity: 10, windowSeconds: 1),
    Venue(id: "binance", kind: .binanceCoinM, exchange: "binance", market: "futures", symbols: ["BTCUSD_PERP", "ETHUSD_PERP", "SOLUSD_PERP", "XRPUSD_PERP"], settle: nil, productType: nil, capacity: 2400, windowSeconds: 60),
]
let perVenue = 2_000
let latencyMs = 20, jitterMs = 5
let htxDelayMs = 50.0

var simConfiguration = VenueSimConfiguration()
simConfiguration.latencyMs = latencyMs
simConfiguration.jitterMs = jitterMs
simConfiguration.logLevel = .critical
let sim = try await VenueSimulator.start(simConfiguration)
let directory = NSTemporaryDirectory() + "ks-ttf-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)

var configured: [VenueConfiguration] = []
var credentials: [String: VenueCredentials] = [:]
for v in venues {
    let market = VenueMarket(settle: v.settle, productType: v.productType, marginCoin: v.productType == nil ? nil : "USDT",
                             accountId: v.kind == .htxSpot ? "100009" : nil, gateAccount: v.kind == .gateSpot ? "spot" : nil)
    configured.append(VenueConfiguration(descriptor: VenueDescriptor(id: v.id, kind: v.kind, account: "main", baseURL: sim.baseURL, market: market),
                                         credentials: .environment(keyVariable: "-", secretVariable: "-", passphraseVariable: nil), requestTimeout: .seconds(5)))
    credentials[v.id] = VenueCredentials(apiKey: "test-api-key", secret: "test-api-secret", passphrase: "test-passphrase")
}
let engine = EngineSettings(incidentDeadline: .seconds(120), retryInitial: .milliseconds(60), retryMax: .seconds(1), safetyMargin: 0, escalateAfter: 3)
let configuration = KillSwitchConfiguration(database: directory + "/ks.db", socket: directory + "/s.sock", engine: engine, venues: configured)
var logger = Logger(label: "bench")
logger.logLevel = .critical
let daemon = try await Daemon(configuration: configuration, credentials: credentials, logger: logger)
// Warm the connection pools as the running daemon's maintenance service does (at start and every keep-warm).
await daemon.warmVenueConnections()

// Seed the book on the venue and in the store.
var requestsPerVenue: [String: Int] = [:]
for (index, v) in venues.enumerated() {
    var seeds: [SimOrderSeed] = [], events: [OrderEvent] = []
    for i in 0..<perVenue {
        let id = String(1_000_000 * (index + 1) + i), symbol = v.symbols[i % v.symbols.count]
        seeds.append(SimOrderSeed(exchange: v.exchange, market: v.market, settle: v.settle, productType: v.productType, symbol: symbol, id: id,
                                  side: "buy", price: "100", quantity: "1", apiKey: "test-api-key"))
        events.append(OrderEvent(eventId: "e\(id)", venueId: v.id, account: "main", symbol: symbol, venueOrderId: id, clientOrderId: nil,
                                 status: .acknowledged, side: .buy, price: DecimalAmount("100"), quantity: DecimalAmount("1")))
    }
    _ = try await sim.seed(seeds)
    _ = try await daemon.store.ingest(events)
    let perSymbol = perVenue / v.symbols.count
    requestsPerVenue[v.id] = v.kind.batchIsPerSymbol ? v.symbols.count * ((perSymbol + v.kind.batchLimit - 1) / v.kind.batchLimit)
                                                     : (perVenue + v.kind.batchLimit - 1) / v.kind.batchLimit
}

let clock = ContinuousClock()
if CommandLine.arguments.contains("--trace") {
    let loadStart = clock.now
    let open = try await daemon.store.orders(OrderFilter(scope: .everything, openOnly: true))
    print("  loading the \(open.count) open orders from the store: \(loadStart.duration(to: clock.now))")
}
let tripWallMs = Int64(Date().timeIntervalSince1970 * 1000)
let start = clock.now
let incident = await daemon.engine.trip(scope: .everything, reason: "benchmark", actor: "bench")
let outcome = await daemon.engine.waitForIncident(incident)
let elapsed = start.duration(to: clock.now)
let stillOpen = await sim.orders(exchange: nil, market: nil, status: "open").count
let refusedRequests = await sim.requests(since: 0).filter { $0.verdict != "ok" }
let refused = refusedRequests.count

// The bound from the simulator's limits (a round trip = the configured latency; jitter averages out).
let rtt = Double(latencyMs) / 1_000
var bound = 0.0, slowest = ""
for v in venues {
    let requests = Double(requestsPerVenue[v.id] ?? 0)
    let refill = v.capacity / v.windowSeconds
    var seconds = max(0, requests - v.capacity) / refill + rtt + rtt
    if v.kind == .htxSpot { seconds += htxDelayMs / 1_000 + rtt }  // "submitted", then one verification listing
    if seconds > bound { bound = seconds; slowest = v.id }
}
let measured = elapsed.seconds
print("time to flat: \(venues.count * perVenue) orders, 5 venue kinds × 4 symbols, sim latency \(latencyMs)±\(jitterMs) ms, safety margin 0")
print("  requests per venue: \(requestsPerVenue.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
print(String(format: "  measured: %.3f s (outcome %@, still open on the venue: %d, requests refused by the sim: %d)", measured, "\(outcome.map { "\($0)" } ?? "?")", stillOpen, refused))
if CommandLine.arguments.contains("--trace") {
    let log = await sim.requests(since: 0).filter { $0.receivedAtMs >= tripWallMs }
    for exchange in ["bitget", "htx", "gate", "binance"] {
        let arrivals = log.filter { $0.exchange == exchange }
        print("  \(exchange) arrivals after the trip (ms, ! = refused): " + arrivals.prefix(60).map { "\($0.receivedAtMs - tripWallMs)\($0.verdict == "ok" ? "" : "!")" }.joined(separator: " "))
    }
}
if !refusedRequests.isEmpty {
    print("  refused: " + Dictionary(grouping: refusedRequests, by: { "\($0.exchange) \($0.path) \($0.verdict)" }).map { "\($0.key) ×\($0.value.count)" }.sorted().joined(separator: ", "))
}
print(String(format: "  bound:    %.3f s (slowest venue: %@)", bound, slowest))
print(String(format: "  ratio:    %.3f (target <= 1.05)", measured / bound))
try await daemon.shutdown()
try await sim.shutdown()
try? FileManager.default.removeItem(atPath: directory)
