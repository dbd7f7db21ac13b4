import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
import Logging
import VenueSim

// Heartbeat deadline → first cancel request received by the simulator (its request log), over N trips,
// WAL + synchronous=NORMAL. Each round: one resting Binance order, a heartbeat, silence; the rule's timer
// fires at the deadline, the engine trips, the cancel reaches venue-sim. The store's commit time (one
// audit-event transaction) is measured in the same run and printed beside it. Arrival is the simulator's
// wall-clock microseconds when it began handling the request.

let rounds = CommandLine.arguments.dropFirst().compactMap { Int($0) }.first ?? 200
let timeoutMs: Int64 = 50
var simConfiguration = VenueSimConfiguration()
simConfiguration.logLevel = .critical
let sim = try await VenueSimulator.start(simConfiguration)
let directory = NSTemporaryDirectory() + "ks-hb-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
let venue = VenueConfiguration(descriptor: VenueDescriptor(id: "binance", kind: .binanceCoinM, account: "main", baseURL: sim.baseURL, market: VenueMarket()),
                               credentials: .environment(keyVariable: "-", secretVariable: "-", passphraseVariable: nil), requestTimeout: .seconds(5))
// Scoped to one symbol so each incident's final listing costs Binance weight 1, not 40 (all symbols): 200
// trips in about a minute must stay inside the account's 2,400/min weight, or the bucket (rightly) makes
// later trips wait and the benchmark measures the rate limit instead of the trip path.
let rule = RuleDefinition(id: "alive", scope: Scope(venue: "binance", symbol: "BTCUSD_PERP"), kind: .heartbeat(source: "bot", timeout: .milliseconds(timeoutMs), grace: .zero))
let configuration = KillSwitchConfiguration(database: directory + "/ks.db", socket: directory + "/s.sock",
                                            engine: EngineSettings(incidentDeadline: .seconds(30), retryInitial: .milliseconds(20), retryMax: .seconds(1), safetyMargin: 0, escalateAfter: 3),
                                            venues: [venue], rules: [rule])
var logger = Logger(label: "bench")
logger.logLevel = .critical
let daemon = try await Daemon(configuration: configuration, credentials: ["binance": VenueCredentials(apiKey: "test-api-key", secret: "test-api-secret")], logger: logger)
// The whole daemon, as `killswitch run` runs it (its background checkpoints keep commits on the trip path short).
let running = Task { try await daemon.run() }
while !FileManager.default.fileExists(atPath: directory + "/s.sock") { try await Task.sleep(for: .milliseconds(20)) }
await daemon.warmVenueConnections()

func wallMs() -> Double { Date().timeIntervalSince1970 * 1_000 }
func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

let tripEvents = daemon.events.subscribe()
var latencies: [Double] = []
var commits: [Double] = []
var lastIncident: Int64?
for round in 0..<rounds {
    let id = String(5_000_000 + round)
    _ = try await sim.seed([SimOrderSeed(exchange: "binance", market: "futures", symbol: "BTCUSD_PERP", id: id, side: "buy", price: "100", quantity: "1", apiKey: "test-api-key")])
    _ = try await daemon.store.ingest([OrderEvent(eventId: "hb-\(id)", venueId: "binance", account: "main", symbol: "BTCUSD_PERP", venueOrderId: id,
                                                  clientOrderId: nil, status: .acknowledged, side: .buy, price: DecimalAmount("100"), quantity: DecimalAmount("1"))])
    if let incident = lastIncident {
        try await daemon.heartbeat(source: "bot")
        try await daemon.rearm(incidentId: incident, operator: "bench", reason: "next round", force: true)
    }
    let logStart = await sim.requests(since: 0).last?.id ?? 0
    // Wall time taken just before the heartbeat: the true deadline is no earlier, so latency is never understated.
    let beforeHeartbeat = wallMs()
    try await daemon.heartbeat(source: "bot")
    let deadline = beforeHeartbeat + Double(timeoutMs)
    // Wait for the trip this silence causes: told by the daemon's event bus, so nothing polls the engine while
    // it trips.
    var incident: Int64?
    for await event in tripEvents {
        if case .tripped(let record) = event { incident = record.id; break }
    }
    guard let incident else { fatalError("the daemon's event bus ended") }
    _ = await daemon.engine.waitForIncident(incident)
    lastIncident = incident
    let roundLog = await sim.requests(since: logStart)
    func arrival(_ entry: SimRequestLogEntry) -> Double { entry.receivedAtMicros.map { Double($0) / 1_000 } ?? Double(entry.receivedAtMs) }
    let latency = roundLog.first(where: { $0.path == "/dapi/v1/batchOrders" }).map { arrival($0) - deadline }
    if let latency { latencies.append(latency) }
    if CommandLine.arguments.contains("--trace"), latency == nil || latency! > 5 {
        print("round \(round): " + (latency.map { String(format: "%.1f ms", $0) } ?? "no batchOrders") + "; sim log: "
              + roundLog.map { "\($0.method) \($0.path) +\(String(format: "%.1f", arrival($0) - deadline)) \($0.status) \($0.verdict)" }.joined(separator: " | "))
    }
    let t = ContinuousClock.now
    try await daemon.store.appendAudit(kind: "bench-commit", incidentId: nil, actor: "bench", detail: [:])
    let c = ContinuousClock.now - t
    commits.append(c.seconds * 1_000)
}
print("heartbeat deadline → first cancel received by venue-sim: \(latencies.count) trips, WAL, synchronous=NORMAL")
print("  slowest: " + latencies.sorted().suffix(6).map { String(format: "%.1f", $0) }.joined(separator: " "))
print(String(format: "  p50 %.1f ms   p99 %.1f ms   max %.1f ms   (target p99 <= 2 ms)", percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.max() ?? 0))
print(String(format: "  store commit (one audit transaction): p50 %.3f ms   p99 %.3f ms", percentile(commits, 0.5), percentile(commits, 0.99)))
// A graceful stop, as SIGTERM gives the running daemon.
kill(getpid(), SIGTERM)
_ = try? await running.value
try await sim.shutdown()
try? FileManager.default.removeItem(atPath: directory)
