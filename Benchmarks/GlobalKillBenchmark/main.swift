import BenchBook
import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
import Logging
import VenueSim

// The scope-aware kill: a global trip with `strategy = "auto"` on the same book as TimeToFlatBenchmark (N orders,
// default 10,000; `--orders 100000`, over the five venue kinds × 4 symbols, venue-sim at 20 ± 5 ms, strict limits,
// safety margin 0), against two numbers computed in this run:
//
// - the by-id bound: TimeToFlatBenchmark's, per venue (⌈R/N⌉−1)×(W+J+rtt) + rtt + rtt (the final listing; HTX + its
//   50 ms "submitted" delay + one verification listing), the slowest venue;
// - the floor of the plan auto chose (read back from the audit's `cancel-strategy` events), per venue: the requests
//   the plan needs at the venue's limit + one round trip + the verification listing's round trips — by id as above;
//   a cancel-all (C requests: 1, one per symbol on Binance, ⌈orders/100⌉ sequential rounds on HTX) is
//   (⌈C/N⌉−1)×(W+J+rtt) + rtt (HTX: rounds × rtt + its 50 ms delay) + the listing's legs × rtt (Bitget lists
//   `live` then `partially_filled`: 2). The slowest venue is the floor.
//
// Printed: time to flat (trip → the listings show nothing open), the ratio to the floor (target ≤ 1.2) and to the
// by-id bound, each venue's plan and why, still-open orders and refused requests from the simulator.
//
// `--symbol [--strategy by-id|auto]`: the symbol-scope variant — 2,500 orders on one symbol per venue (plus as
// many on a second symbol, outside the scope), five trips at once, one per venue scoped to (venue, first symbol);
// each venue's time to flat and plan, and whether every order outside the scopes still rests.

let arguments = CommandLine.arguments
let totalOrders = BenchBook.totalOrders(arguments)
let venues = BenchBook.venues
let symbolMode = arguments.contains("--symbol")
let strategy = arguments.firstIndex(of: "--strategy").flatMap { arguments.count > $0 + 1 ? CancelStrategy(rawValue: arguments[$0 + 1]) : nil } ?? .auto
let perVenue = symbolMode ? 5_000 : totalOrders / venues.count
let latencyMs = BenchBook.latencyMs, jitterMs = BenchBook.jitterMs
let htxDelayMs = BenchBook.htxDelayMs
let jitterAllowance = BenchBook.jitterAllowance

let simConfiguration = BenchBook.simulatorConfiguration()
let sim = try await VenueSimulator.start(simConfiguration)
let directory = NSTemporaryDirectory() + "ks-gk-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
let (configured, credentials) = BenchBook.venueConfigurations(baseURL: sim.baseURL)
let engine = BenchBook.engineSettings(strategy: strategy)
let socket = directory + "/s.sock"
let configuration = KillSwitchConfiguration(database: directory + "/ks.db", socket: socket, engine: engine, venues: configured)
var logger = Logger(label: "bench")
logger.logLevel = .critical
let daemon = try await Daemon(configuration: configuration, credentials: credentials, logger: logger)

// Symbol mode: half on the tripped symbol, half on the next (outside the scope).
let requestsPerVenue = try await BenchBook.seed(perVenue: perVenue, sim: sim, store: daemon.store) { v, i in symbolMode ? v.symbols[i % 2] : v.symbols[i % v.symbols.count] }
let running = try await BenchBook.run(daemon, socket: socket)
try await BenchBook.waitPastTheArmedCheck(daemon)

let clock = ContinuousClock()
if symbolMode {
    // Five trips at once, one per venue on its first symbol; each incident's own time to flat.
    let start = clock.now
    let ended = await withTaskGroup(of: (String, Int64, IncidentStateMachine.Outcome?, Duration).self) { group in
        for v in venues {
            group.addTask {
                let id = await daemon.engine.trip(scope: Scope(venue: v.id, symbol: v.symbols[0]), reason: "symbol benchmark", actor: "bench")
                let outcome = await daemon.engine.waitForIncident(id)
                return (v.id, id, outcome, start.duration(to: clock.now))
            }
        }
        var all: [(String, Int64, IncidentStateMachine.Outcome?, Duration)] = []
        for await item in group { all.append(item) }
        return all.sorted { $0.0 < $1.0 }
    }
    let open = await sim.orders(exchange: nil, market: nil, status: "open")
    let wrong = open.filter { order in venues.contains { $0.exchange == order.exchange && $0.symbols[0].lowercased() == order.symbol.lowercased() } }.count
    let db = try SQLiteConnection(path: configuration.database, mode: .readOnly)
    print("symbol-scope kill (strategy \(strategy.rawValue)): \(perVenue / 2) orders on one symbol per venue (\(perVenue / 2) more on another, outside the scope), five trips at once, sim latency \(latencyMs)±\(jitterMs) ms, strict limits")
    for (venue, incident, outcome, elapsed) in ended {
        let plan = try db.scalarText("SELECT json_extract(detail, '$.plan') FROM audit_events WHERE kind = 'cancel-strategy' AND incident_id = \(incident)") ?? "?"
        print(String(format: "  %@: %.3f s (%@) — %@", venue, elapsed.seconds, "\(outcome.map { "\($0)" } ?? "?")", plan))
    }
    print("  still open in the tripped scopes: \(wrong); resting outside them: \(open.count) of \(venues.count * perVenue / 2)")
    try await BenchBook.stop(running, sim: sim, directory: directory)
    exit(0)
}
let logBefore = await sim.requests(since: 0).count
let start = clock.now
let incident = await daemon.engine.trip(scope: .everything, reason: "benchmark", actor: "bench")
let outcome = await daemon.engine.waitForIncident(incident)
let elapsed = start.duration(to: clock.now)

let stillOpen = await sim.orders(exchange: nil, market: nil, status: "open").count
let tripLog = await sim.requests(since: 0).dropFirst(logBefore)
let refused = tripLog.filter { $0.verdict != "ok" }

// The plan per venue, as the audit recorded it.
let db = try SQLiteConnection(path: configuration.database, mode: .readOnly)
var plans: [String: (plan: String, reason: String)] = [:]
let statement = try db.prepare("SELECT detail FROM audit_events WHERE kind = 'cancel-strategy' AND incident_id = ?")
try statement.bind(1, incident)
while try statement.step() {
    guard let text = statement.text(0), let detail = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String], let venue = detail["venue"] else { continue }
    plans[venue] = (detail["plan"] ?? "?", detail["reason"] ?? "?")
}

let rtt = BenchBook.rtt
func drain(_ requests: Double, capacity: Double, window: Double) -> Double { BenchBook.drain(requests, capacity: capacity, window: window) }
var byIdBound = 0.0, byIdSlowest = "", floor = 0.0, floorSlowest = ""
var lines: [String] = []
for v in venues {
    let requests = Double(requestsPerVenue[v.id] ?? 0)
    var byId = drain(requests, capacity: v.capacity, window: v.windowSeconds) + rtt + rtt
    if v.kind == .htxSpot { byId += htxDelayMs / 1_000 + rtt }
    if byId > byIdBound { byIdBound = byId; byIdSlowest = v.id }
    let plan = plans[v.id]?.plan ?? "?"
    var planned = byId
    var planRequests = Int(requests)
    if plan.hasPrefix("cancel-all") {
        if v.kind == .htxSpot && plan.contains("per symbol") {
            // One loop per symbol, side by side: each ⌈orders on it / 100⌉ rounds; every round draws on the pool.
            let groups = Double(v.symbols.count), rounds = Double((perVenue / v.symbols.count + 99) / 100)
            planRequests = Int(groups * rounds)
            planned = drain(groups * rounds, capacity: v.cancelAllCapacity, window: v.cancelAllWindowSeconds) + rounds * rtt + htxDelayMs / 1_000 + v.listingLegs * rtt
        } else if v.kind == .htxSpot {
            let rounds = Double((perVenue + 99) / 100)
            planRequests = Int(rounds)
            planned = rounds * rtt + htxDelayMs / 1_000 + v.listingLegs * rtt
        } else {
            let calls = v.kind == .binanceCoinM ? Double(v.symbols.count) : 1
            planRequests = Int(calls)
            planned = drain(calls, capacity: v.cancelAllCapacity, window: v.cancelAllWindowSeconds) + rtt + v.listingLegs * rtt
        }
    } else {
        planned = drain(requests, capacity: v.capacity, window: v.windowSeconds) + rtt + v.listingLegs * rtt
        if v.kind == .htxSpot { planned += htxDelayMs / 1_000 + rtt }
    }
    if planned > floor { floor = planned; floorSlowest = v.id }
    let sent = tripLog.filter { $0.exchange == v.exchange && $0.market == v.market && $0.method != "GET" }.count
    lines.append(String(format: "    %@: %@ (%d cancel request(s) planned, %d sent; floor %.3f s, by id %.3f s) — %@", v.id, plan, planRequests, sent, planned, byId,
                        plans[v.id]?.reason ?? "?"))
}
let measured = elapsed.seconds
print("global kill (strategy auto): \(venues.count * perVenue) orders, 5 venue kinds × 4 symbols, sim latency \(latencyMs)±\(jitterMs) ms, strict limits (tolerance \(simConfiguration.rateLimitToleranceMs) ms), jitter allowance \(jitterAllowance), safety margin 0")
print(String(format: "  measured: %.3f s (outcome %@, still open on the venue: %d, requests refused by the sim: %d)", measured, "\(outcome.map { "\($0)" } ?? "?")", stillOpen, refused.count))
print(String(format: "  floor of the chosen plan: %.3f s (slowest: %@) — ratio %.3f (target <= 1.2)", floor, floorSlowest, measured / floor))
print(String(format: "  by-id bound: %.3f s (slowest: %@) — measured is %.1f× under it", byIdBound, byIdSlowest, byIdBound / measured))
print(String(format: "  flat under 0.25 s: %@", measured < 0.25 ? "yes" : "no"))
print("  per venue:")
for line in lines { print(line) }
if !refused.isEmpty {
    print("  refused: " + Dictionary(grouping: refused, by: { "\($0.exchange) \($0.path) \($0.verdict)" }).map { "\($0.key) ×\($0.value.count)" }.sorted().joined(separator: ", "))
}
if arguments.contains("--trace") {
    // From the audit: each venue's requests (kind, ms after the trip: sent → answered).
    let tripped = try db.scalarInt("SELECT tripped_at FROM incidents WHERE id = \(incident)") ?? 0
    let ended = try db.scalarInt("SELECT ended_at FROM incidents WHERE id = \(incident)") ?? 0
    print("  incident ended \(ended - tripped) ms after the trip (store clock)")
    let rows = try db.prepare("""
        SELECT i.venue_id, i.kind, count(*), min(i.sent_at) - ?, max(r.answered_at) - ? FROM cancel_intents i LEFT JOIN cancel_responses r ON r.intent_id = i.id
        WHERE i.incident_id = ? GROUP BY i.venue_id, i.kind, i.sent_at / 20 ORDER BY i.venue_id, min(i.sent_at)
        """)
    try rows.bind([.integer(tripped), .integer(tripped), .integer(incident)])
    while try rows.step() {
        print("    \(rows.text(0) ?? "?") \(rows.text(1) ?? "?") ×\(rows.int(2)): sent +\(rows.int(3)) ms, last answer +\(rows.int(4)) ms")
    }
    let first = tripLog.first?.receivedAtMs ?? 0
    for exchange in ["bitget", "htx", "gate", "binance"] {
        let arrivals = tripLog.filter { $0.exchange == exchange }
        print("  \(exchange) arrivals (ms after the first request, method path): " + arrivals.prefix(40).map { "\($0.receivedAtMs - first) \($0.method) \($0.path.split(separator: "/").last ?? "")" }.joined(separator: ", "))
    }
}
try await BenchBook.stop(running, sim: sim, directory: directory)
