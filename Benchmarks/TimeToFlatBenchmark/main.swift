import AsyncHTTPClient
import BenchBook
import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
import Logging
import VenueSim

// Time to flat, cancelling by id: trip → the final listings show nothing open, for N orders (default 10,000;
// `--orders 100000`) over the five venue kinds and 4 symbols each, against venue-sim with 20 ms ± 5 ms latency
// and its strict limits (arrivals counted in any window of W − tolerance), safety margin 0, the engine's
// jitter allowance equal to the simulator's tolerance. The whole daemon runs (its ServiceGroup, control socket
// included) and `/v1/status` is polled over the socket every 100 ms during the trip.
//
// Printed, all from this run: the time to flat; the bound for the strict-window model (below); from the
// simulator's request log, the most arrivals in any window of W per venue limit against the published count;
// the requests the simulator refused; `/v1/status` latency p50/p99/max during the trip.
//
// The bound, per venue: a limit of N requests per window W lets the first N leave at once; each later window
// opens W + J after the request it replaces was *over* (the engine counts a request from its answer, so late
// departures cannot bunch arrivals), i.e. one window step is W + J + rtt. With R requests:
//   bound = (⌈R / N⌉ − 1) × (W + J + rtt) + rtt (the last burst's answers) + rtt (the final listing)
// (HTX: + its 50 ms "submitted" delay and one verification listing). The slowest venue is the bound.
//
// `--dms`: every venue with a countdown arms it (timeout 15 s, refresh 5 s; Binance's four symbols, the most its
// 20% budget allows at that refresh) and the daemon refreshes them through the trip. Printed too: whether any
// countdown fired (target: none) and the longest gap between two refreshes the venue saw while the incident ran.
// Binance's cancels then share the IP's weight with the refreshes' reserved slice: its N is the weight less it.

let arguments = CommandLine.arguments
let totalOrders = BenchBook.totalOrders(arguments)
let venues = BenchBook.venues
let perVenue = totalOrders / venues.count
let withCountdowns = arguments.contains("--dms")
let countdownSettings = CountdownSettings(timeout: .seconds(15), refresh: .seconds(5), symbols: venues.first { $0.kind == .binanceCoinM }!.symbols)
let latencyMs = BenchBook.latencyMs, jitterMs = BenchBook.jitterMs
let htxDelayMs = BenchBook.htxDelayMs
let jitterAllowance = BenchBook.jitterAllowance

let simConfiguration = BenchBook.simulatorConfiguration()
let sim = try await VenueSimulator.start(simConfiguration)
let directory = NSTemporaryDirectory() + "ks-ttf-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
let (configured, credentials) = BenchBook.venueConfigurations(baseURL: sim.baseURL) { v in withCountdowns && v.kind.hasCountdown ? countdownSettings : nil }
// Pinned: this benchmark measures cancelling by id against the limiter's bound (GlobalKillBenchmark measures auto).
let engine = BenchBook.engineSettings(strategy: .byId)
let socket = directory + "/s.sock"
let configuration = KillSwitchConfiguration(database: directory + "/ks.db", socket: socket, engine: engine, venues: configured)
var logger = Logger(label: "bench")
logger.logLevel = .critical
let daemon = try await Daemon(configuration: configuration, credentials: credentials, logger: logger)

// Seed the book on the venue and in the store; run the whole daemon.
let requestsPerVenue = try await BenchBook.seed(perVenue: perVenue, sim: sim, store: daemon.store) { v, i in v.symbols[i % v.symbols.count] }
let running = try await BenchBook.run(daemon, socket: socket)
if withCountdowns {
    // Gate futures, Gate spot, HTX and Binance's four symbols, armed by the daemon's countdown service.
    let deadline = ContinuousClock.now + .seconds(30)
    while await sim.countdowns().count < 7, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
}

try await BenchBook.waitPastTheArmedCheck(daemon)

let clock = ContinuousClock()
let logBefore = await sim.requests(since: 0).count
let tripWallMs = Int64(Date().timeIntervalSince1970 * 1000)
let start = clock.now
let incident = await daemon.engine.trip(scope: .everything, reason: "benchmark", actor: "bench")

// Poll /v1/status over the control socket while the incident runs.
let statusPoller = Task { () -> [Duration] in
    var latencies: [Duration] = []
    let url = URL(httpURLWithSocketPath: socket, uri: "/v1/status")!.absoluteString
    while !Task.isCancelled {
        let sent = clock.now
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 64 << 20)
            latencies.append(sent.duration(to: clock.now))
        } catch {
            latencies.append(sent.duration(to: clock.now))
        }
        try? await Task.sleep(for: .milliseconds(100))
    }
    return latencies
}
let outcome = await daemon.engine.waitForIncident(incident)
let elapsed = start.duration(to: clock.now)
let endWallMs = Int64(Date().timeIntervalSince1970 * 1000)
statusPoller.cancel()
let statusLatencies = await statusPoller.value.sorted()

let stillOpen = await sim.orders(exchange: nil, market: nil, status: "open").count
let tripLog = await sim.requests(since: 0).dropFirst(logBefore)
let refusedRequests = tripLog.filter { $0.verdict != "ok" }

let rtt = BenchBook.rtt
var bound = 0.0, slowest = ""
for v in venues {
    let requests = Double(requestsPerVenue[v.id] ?? 0)
    // With countdowns, Binance's cancels get the IP's weight less the refreshes' reserved slice.
    let reserved = v.kind == .binanceCoinM && withCountdowns ? Double(daemon.limits.buckets(venueId: v.id)["weight"]?.refreshReserve ?? 0) : 0
    var seconds = BenchBook.drain(requests, capacity: v.capacity - reserved, window: v.windowSeconds) + rtt + rtt
    if v.kind == .htxSpot { seconds += htxDelayMs / 1_000 + rtt }  // "submitted", then one verification listing
    if seconds > bound { bound = seconds; slowest = v.id }
}
let measured = elapsed.seconds
print("time to flat (by id): \(venues.count * perVenue) orders, 5 venue kinds × 4 symbols, sim latency \(latencyMs)±\(jitterMs) ms, strict limits (tolerance \(simConfiguration.rateLimitToleranceMs) ms), jitter allowance \(jitterAllowance), safety margin 0")
print("  requests per venue: \(requestsPerVenue.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))")
print(String(format: "  measured: %.3f s (outcome %@, still open on the venue: %d, requests refused by the sim: %d)", measured, "\(outcome.map { "\($0)" } ?? "?")", stillOpen, refusedRequests.count))
print(String(format: "  bound:    %.3f s (slowest venue: %@; (⌈R/N⌉−1)×(W+J+rtt) + 2 rtt)", bound, slowest))
print(String(format: "  ratio:    %.3f (target <= 1.05)", measured / bound))
print("  most arrivals in any window of W, per venue limit (from the simulator's log, this trip's requests):")
for summary in await sim.arrivalSummaries(since: (tripLog.first?.id ?? 1) - 1).sorted(by: { ($0.limitKey ?? "") < ($1.limitKey ?? "") }) where summary.requests > 0 {
    let limit = summary.limit.map { String(format: "%g", $0) } ?? "-"
    let peak = summary.maxWeight == Double(summary.maxArrivals) ? "\(summary.maxArrivals)" : String(format: "%d (weight %g)", summary.maxArrivals, summary.maxWeight)
    print("    \(summary.limitKey ?? "?"): \(peak) of \(limit) per \(summary.windowMs) ms, \(summary.requests) requests, \(summary.refused) refused\(summary.withinLimit ? "" : "  OVER")")
}
if !refusedRequests.isEmpty {
    print("  refused: " + Dictionary(grouping: refusedRequests, by: { "\($0.exchange) \($0.path) \($0.verdict)" }).map { "\($0.key) ×\($0.value.count)" }.sorted().joined(separator: ", "))
}
func percentile(_ sorted: [Duration], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))].seconds * 1_000
}
print(String(format: "  /v1/status during the trip: %d polls, p50 %.1f ms, p99 %.1f ms, max %.1f ms (target p99 < 100 ms)",
             statusLatencies.count, percentile(statusLatencies, 0.5), percentile(statusLatencies, 0.99), percentile(statusLatencies, 1)))
if withCountdowns {
    // What the venues saw: each countdown's refreshes while the incident ran, and the longest gap between two.
    let refreshes = await sim.requests(since: 0).filter { ($0.path.contains("countdown") || $0.path.contains("cancel-all-after")) && $0.status == 200 }
    var lines: [String] = []
    var longest: Int64 = 0
    for (key, entries) in Dictionary(grouping: refreshes, by: { "\($0.exchange)/\($0.market)" }).sorted(by: { $0.key < $1.key }) {
        let times = entries.map(\.receivedAtMs).sorted()
        let during = times.filter { $0 > tripWallMs && $0 < endWallMs }
        // From the last refresh before the trip: how long the venue went without one while the incident ran.
        let marks = [times.last { $0 <= tripWallMs } ?? tripWallMs] + during + [endWallMs]
        let gap = zip(marks, marks.dropFirst()).map { $1 - $0 }.max() ?? 0
        longest = max(longest, gap)
        lines.append("\(key) \(during.count) refreshes, longest gap \(gap) ms")
        if arguments.contains("--trace") { print("  \(key) refreshes (ms from the trip): " + times.map { String($0 - tripWallMs) }.joined(separator: " ")) }
    }
    if arguments.contains("--trace") {
        let binance = await sim.requests(since: 0).filter { $0.exchange == "binance" && $0.receivedAtMs >= tripWallMs }
        let bySecond = Dictionary(grouping: binance, by: { ($0.receivedAtMs - tripWallMs) / 5_000 }).sorted { $0.key < $1.key }
        print("  binance weight per 5 s after the trip: " + bySecond.map { "\($0.key * 5)s: \($0.value.count) req / \(Int($0.value.compactMap(\.weight).reduce(0, +))) w" }.joined(separator: ", "))
        if let pool = daemon.limits.buckets(venueId: "binance")["weight"] {
            print("  binance weight pool: \(pool), reserve \(pool.refreshReserve), level \(pool.level), waiting \(pool.waitingCount)")
        }
    }
    let fired = await sim.orders(exchange: nil, market: nil, status: "cancelled").filter { $0.cancelledBy == "countdown" }.count
    print("  countdowns (timeout \(DurationText.format(countdownSettings.timeout)), refresh \(DurationText.format(countdownSettings.refresh))) during the trip: " + lines.joined(separator: "; "))
    print("  orders cancelled by a countdown firing: \(fired) (target 0); longest refresh gap \(longest) ms of a \(countdownSettings.timeoutSeconds * 1_000) ms countdown")
}
if arguments.contains("--trace") {
    for exchange in ["bitget", "htx", "gate", "binance"] {
        let arrivals = tripLog.filter { $0.exchange == exchange }
        print("  \(exchange) arrivals after the trip (ms, ! = refused): " + arrivals.prefix(80).map { "\($0.receivedAtMs - tripWallMs)\($0.verdict == "ok" ? "" : "!")" }.joined(separator: " "))
    }
}
try await BenchBook.stop(running, sim: sim, directory: directory)
