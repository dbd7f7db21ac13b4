import AsyncHTTPClient
import Foundation
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
import Logging
import NIOCore
import VenueSim

// Order events through the control socket, as a bot sends them: a running daemon (`daemon.run()`, its whole
// ServiceGroup, the control server on its Unix socket) and clients POSTing JSON arrays to
// `/v1/orders/events` over `http+unix://` with AsyncHTTPClient — one client, then 8 concurrent clients, in
// batches of 1, 100 and 1,000 events. Each request's acknowledgement latency is from the send to the last
// byte of the answer (an answer comes only after the batch committed); events/s is the events acknowledged
// over the scenario's wall time. The comparison, in the same run: the same book, in the same batches, through
// `Store.ingest` alone (validated events, no HTTP, no JSON), on its own store that grows the same way.
//
// The book is IngestBenchmark's: half the events open orders, half update orders opened shortly before.
// Bodies are rendered before timing (a bot has its bytes). The daemon, the clients and venue-sim (idle: the
// daemon's maintenance talks to it) share one process and its cores.
//
//   swift run -c release EventSocketBenchmark [--scale F]   # F multiplies the request counts (default 1)

let arguments = CommandLine.arguments
let scale = arguments.firstIndex(of: "--scale").flatMap { arguments.count > $0 + 1 ? Double(arguments[$0 + 1]) : nil } ?? 1
let venueId = "binance-main"

/// One scenario's book: `requests` batches of `batchSize` events, ids unique to the scenario.
struct Book {
    var events: [[OrderEvent]]
    var bodies: [ByteBuffer]
}

func makeBook(scenario: Int, requests: Int, batchSize: Int) -> Book {
    var events: [[OrderEvent]] = [], bodies: [ByteBuffer] = []
    var nextOrder = 0
    let orderBase = 10_000_000 * (scenario + 1)
    for b in 0..<requests {
        var batch: [OrderEvent] = [], json: [String] = []
        for i in 0..<batchSize {
            let n = b * batchSize + i
            let isNew = n % 2 == 0 || nextOrder < 10
            let orderNumber = isNew ? nextOrder : (nextOrder - 1 - (n % 7))
            if isNew { nextOrder += 1 }
            let status: OrderStatus = isNew ? .new : [.acknowledged, .partiallyFilled, .filled][n % 3]
            let filled: String? = status == .partiallyFilled ? "3" : status == .filled ? "10" : nil
            let event = OrderEvent(
                eventId: "s\(scenario)-e-\(n)", venueId: venueId, account: "main", symbol: "BTCUSD_PERP",
                venueOrderId: String(orderBase + orderNumber), clientOrderId: isNew ? "s\(scenario)-c-\(orderNumber)" : nil, status: status,
                side: .buy, price: DecimalAmount("64250.5"), quantity: DecimalAmount("10"), filledQuantity: filled.flatMap(DecimalAmount.init),
                time: 1_795_601_700_123
            )
            batch.append(event)
            var fields = [#""eventId":"\#(event.eventId)""#, #""venue":"\#(venueId)""#, #""symbol":"BTCUSD_PERP""#,
                          #""venueOrderId":"\#(event.venueOrderId!)""#]
            if let client = event.clientOrderId { fields.append(#""clientOrderId":"\#(client)""#) }
            fields += [#""status":"\#(status.rawValue)""#, #""side":"buy""#, #""price":"64250.5""#, #""quantity":"10""#]
            if let filled { fields.append(#""filledQuantity":"\#(filled)""#) }
            fields.append(#""time":"2026-11-25T10:15:00.123Z""#)
            json.append("{" + fields.joined(separator: ",") + "}")
        }
        events.append(batch)
        bodies.append(ByteBuffer(string: "[" + json.joined(separator: ",") + "]"))
    }
    return Book(events: events, bodies: bodies)
}

func percentile(_ sorted: [Duration], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))].seconds * 1_000
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

struct Measured {
    var events: Int
    var wall: Duration
    var cpu: Double
    var latencies: [Duration]

    var rate: Double { Double(events) / wall.seconds }
    var summary: String {
        let sorted = latencies.sorted()
        return String(format: "%8.0f events/s  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  CPU %5.1f µs/event",
                      rate, percentile(sorted, 0.5), percentile(sorted, 0.99), percentile(sorted, 1), cpu / Double(events) * 1e6)
    }
}

// The daemon, as `killswitch run` runs it, with one venue on an idle in-process simulator.
var simConfiguration = VenueSimConfiguration()
simConfiguration.logLevel = .critical
let sim = try await VenueSimulator.start(simConfiguration)
let directory = NSTemporaryDirectory() + "ks-events-\(getpid())"
try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
let socket = directory + "/control.sock"
let venue = VenueConfiguration(descriptor: VenueDescriptor(id: venueId, kind: .binanceCoinM, account: "main", baseURL: sim.baseURL, market: VenueMarket()),
                               credentials: .environment(keyVariable: "-", secretVariable: "-", passphraseVariable: nil))
let configuration = KillSwitchConfiguration(database: directory + "/ks.db", socket: socket, venues: [venue])
var logger = Logger(label: "bench")
logger.logLevel = .critical
let daemon = try await Daemon(configuration: configuration, credentials: [venueId: VenueCredentials(apiKey: "test-api-key", secret: "test-api-secret")],
                              logger: logger)
let running = Task { try await daemon.run() }
let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(connectionPool: .init(idleTimeout: .seconds(60))))
let url = URL(httpURLWithSocketPath: socket, uri: "/v1/orders/events")!.absoluteString
// Up when the socket answers (it appears when the control server listens).
while true {
    if FileManager.default.fileExists(atPath: socket),
       let answer = try? await http.execute(HTTPClientRequest(url: URL(httpURLWithSocketPath: socket, uri: "/v1/status")!.absoluteString), timeout: .seconds(5)),
       answer.status == .ok { break }
    try await Task.sleep(for: .milliseconds(20))
}

/// POSTs `bodies` from `clients` concurrent clients (each takes the next body when its previous answer is in).
func throughSocket(_ book: Book, clients: Int) async throws -> Measured {
    let next = Counter()
    let clock = ContinuousClock()
    let cpuStart = cpuSeconds()
    let start = clock.now
    let latencies = try await withThrowingTaskGroup(of: [Duration].self) { group in
        for _ in 0..<clients {
            group.addTask {
                var mine: [Duration] = []
                while let index = next.take(below: book.bodies.count) {
                    var request = HTTPClientRequest(url: url)
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/json")
                    request.body = .bytes(book.bodies[index])
                    let sent = clock.now
                    let response = try await http.execute(request, timeout: .seconds(60))
                    let body = try await response.body.collect(upTo: 64 << 20)
                    mine.append(sent.duration(to: clock.now))
                    let answer = try JSONDecoder().decode(OrderEventResults.self, from: Data(buffer: body))
                    guard response.status == .ok, answer.stored == book.events[index].count else {
                        fatalError("request \(index): \(response.status) \(String(buffer: body).prefix(300))")
                    }
                }
                return mine
            }
        }
        return try await group.reduce(into: []) { $0 += $1 }
    }
    return Measured(events: book.events.reduce(0) { $0 + $1.count }, wall: start.duration(to: clock.now), cpu: cpuSeconds() - cpuStart, latencies: latencies)
}

/// The same book through `Store.ingest` alone, one batch after the other.
func throughStore(_ book: Book, store: Store) async throws -> Measured {
    let clock = ContinuousClock()
    let cpuStart = cpuSeconds()
    let start = clock.now
    var latencies: [Duration] = []
    for batch in book.events {
        let sent = clock.now
        let results = try await store.ingest(batch)
        latencies.append(sent.duration(to: clock.now))
        precondition(results.allSatisfy { if case .stored = $0 { true } else { false } })
    }
    return Measured(events: book.events.reduce(0) { $0 + $1.count }, wall: start.duration(to: clock.now), cpu: cpuSeconds() - cpuStart, latencies: latencies)
}

/// Hands out request indexes to the concurrent clients.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func take(below limit: Int) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard value < limit else { return nil }
        value += 1
        return value - 1
    }
}

let comparison = try Store(options: StoreOptions(path: directory + "/comparison.db"), venues: configuration.venueDescriptors)
// Warm both paths (connections, page cache, allocator) on a book of their own.
let warm = makeBook(scenario: 99, requests: 20, batchSize: 100)
_ = try await throughSocket(warm, clients: 8)
_ = try await throughStore(warm, store: comparison)

/// What reading a body costs the route, per event: the byte-level reader it uses, against JSONDecoder into
/// `JSONValue` then validating each element (what the route did before), on 1,000-event bodies.
func parseCost() throws -> (bytes: Double, decoder: Double) {
    let book = makeBook(scenario: 98, requests: 20, batchSize: 1_000)
    let validator = OrderEventValidator(venues: configuration.venueDescriptors)
    let bodies = book.bodies.map { Array($0.readableBytesView) }
    let clock = ContinuousClock()
    var best = (bytes: Double.infinity, decoder: Double.infinity)
    for _ in 0..<3 {
        var start = clock.now
        for body in bodies {
            let events = try validator.validate(json: body)
            precondition(events.count == 1_000)
        }
        best.bytes = min(best.bytes, start.duration(to: clock.now).seconds / 20_000 * 1e6)
        start = clock.now
        for body in bodies {
            guard case .array(let items) = try JSONDecoder().decode(JSONValue.self, from: Data(body)) else { fatalError() }
            let events = items.enumerated().map { validator.validate($0.element, index: $0.offset) }
            precondition(events.count == 1_000)
        }
        best.decoder = min(best.decoder, start.duration(to: clock.now).seconds / 20_000 * 1e6)
    }
    return best
}

var load = [Double](repeating: 0, count: 3)
getloadavg(&load, 3)
let parse = try parseCost()
print(String(format: "reading 1,000-event bodies: %.2f µs/event with the byte-level reader, %.2f µs/event with JSONDecoder into JSONValue (best of 3)",
             parse.bytes, parse.decoder))
print("order events through the control socket (POST /v1/orders/events, compact answers), WAL, synchronous=NORMAL; load average \(String(format: "%.2f", load[0]))")
var scenario = 0
for (batchSize, requests) in [(1, 3_000), (100, 400), (1_000, 100)] {
    let count = max(1, Int((Double(requests) * scale).rounded()))
    for clients in [1, 8] {
        let book = makeBook(scenario: scenario, requests: count, batchSize: batchSize)
        scenario += 1
        // Store alone first, then the socket, on the same book (separate stores, each grown the same way).
        let alone = try await throughStore(book, store: comparison)
        let socketRun = try await throughSocket(book, clients: clients)
        print(String(format: "  batch %5d, %d client%@, %5d requests:", batchSize, clients, clients == 1 ? " " : "s", count))
        print("    socket:       " + socketRun.summary)
        print("    Store.ingest: " + alone.summary + String(format: "   socket/store %.2f", socketRun.rate / alone.rate))
    }
}
getloadavg(&load, 3)
print("  load average at the end \(String(format: "%.2f", load[0])); targets: batches of 1,000 through the socket >= 0.8 x Store.ingest; single events p99 <= 5 ms")

try await http.shutdown()
// A graceful stop, as SIGTERM gives the running daemon.
kill(getpid(), SIGTERM)
_ = try? await running.value
try await sim.shutdown()
try? FileManager.default.removeItem(atPath: directory)
