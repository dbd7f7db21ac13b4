import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import VenueSim

/// `venue-sim`: the five-venue exchange simulator on one loopback port.
@main
struct VenueSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "venue-sim",
        abstract: "A faithful five-venue exchange simulator (Gate, HTX, Bitget, Binance COIN-M) for tests, benchmarks and fire drills.",
        discussion: "Loopback only: never bind it to a public interface. The first stdout line is 'venue-sim listening on http://HOST:PORT'."
    )

    @Option(help: "Address to bind (loopback; never a public interface).")
    var host = "127.0.0.1"

    @Option(help: "Port to bind; 0 picks a free one.")
    var port = 8089

    @Option(help: "JSON array of accounts {exchange, apiKey, secret, passphrase?, uid?, accountId?, readOnly?}; default: one demo account per exchange.")
    var accounts: String?

    @Option(name: .customLong("latency-ms"), help: "Delay added to every venue answer, in ms.")
    var latencyMs = 0

    @Option(name: .customLong("jitter-ms"), help: "Extra random delay 0...N ms (seeded).")
    var jitterMs = 0

    @Option(help: "Seed of every random choice (faults, jitter).")
    var seed: UInt64 = 1

    @Option(name: .customLong("htx-cancel-delay-ms"), help: "How long an HTX order stays listed after a 'submitted' cancel.")
    var htxCancelDelayMs: Int64 = 50

    @Flag(name: .customLong("no-rate-limits"), help: "Switch every rate limit off.")
    var noRateLimits = false

    @Option(
        name: .customLong("rate-limit-tolerance-ms"),
        help: "Arrival-time tolerance: limits are judged on windows of W minus this (jitter that bunches evenly sent requests is forgiven)."
    )
    var rateLimitToleranceMs: Int64 = 5

    @Option(name: .customLong("binance-ban-after"), help: "Ban a Binance IP (HTTP 418) after this many 429s within a minute; 0 never bans.")
    var binanceBanAfter = 5

    @Option(name: .customLong("binance-ban-ms"), help: "Length of a first Binance IP ban, in ms (each further ban doubles).")
    var binanceBanMs: Int64 = 120_000

    @Option(
        name: .customLong("rate-limit"),
        help: "Override a limit: EXCHANGE[:MARKET]=CAPACITY/WINDOW_MS or EXCHANGE[:MARKET]=off (repeatable)."
    )
    var rateLimits: [String] = []

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard latencyMs >= 0, jitterMs >= 0 else { throw ValidationError("--latency-ms and --jitter-ms must not be negative") }
        guard rateLimitToleranceMs >= 0, binanceBanAfter >= 0, binanceBanMs > 0 else {
            throw ValidationError("--rate-limit-tolerance-ms and --binance-ban-after must not be negative, --binance-ban-ms must be positive")
        }
        _ = try parsedOverrides()
    }

    func run() async throws {
        // Swift concurrency's jobs run on NIO's event loops instead of a separate pool, so a request no longer
        // hops between the I/O thread and a concurrency thread on every read and write (the load benchmark's
        // largest cost after the handler). Opt out with VENUE_SIM_CONCURRENCY_POOL=1.
        if ProcessInfo.processInfo.environment["VENUE_SIM_CONCURRENCY_POOL"] != "1" {
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        var configuration = VenueSimConfiguration()
        configuration.host = host
        configuration.port = port
        configuration.latencyMs = latencyMs
        configuration.jitterMs = jitterMs
        configuration.seed = seed
        configuration.htxCancelDelayMs = htxCancelDelayMs
        configuration.rateLimitsEnabled = !noRateLimits
        configuration.rateLimitOverrides = try parsedOverrides()
        configuration.rateLimitToleranceMs = rateLimitToleranceMs
        configuration.binanceBanAfterRefusals = binanceBanAfter
        configuration.binanceBanDurationMs = binanceBanMs
        if let accounts {
            let data = try Data(contentsOf: URL(fileURLWithPath: accounts))
            configuration.accounts = try JSONDecoder().decode([SimAccount].self, from: data)
        }
        let simulator = try await VenueSimulator.start(configuration)
        print("venue-sim listening on \(simulator.baseURL)")
        fflush(nil)
        if !isLoopback(host) {
            print("WARNING: \(host) is not a loopback address; venue-sim is a simulator and must never face a public network.")
        } else {
            print("loopback only: venue-sim is a simulator, never meant for a public interface")
        }
        if self.accounts == nil {
            print("demo credentials (one account per exchange: gate, htx, bitget, binance):")
            print("  apiKey     test-api-key")
            print("  secret     test-api-secret")
            print("  passphrase test-passphrase   (bitget)")
            print("  account-id 100009            (htx spot)")
        }
        print("admin API: \(simulator.baseURL)/_sim/ (orders, orders/fill, requests, arrivals, faults, reset, clock, limits, bans, countdowns)")
        fflush(nil)
        await simulator.waitUntilStopped()
    }

    private func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    private func parsedOverrides() throws -> [SimRateLimitOverride] {
        try rateLimits.map { text in
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--rate-limit \(text): expected EXCHANGE[:MARKET]=CAPACITY/WINDOW_MS or =off") }
            let scope = parts[0].split(separator: ":").map(String.init)
            guard let exchange = scope.first, SimAccount.exchanges.contains(exchange), scope.count <= 2 else {
                throw ValidationError("--rate-limit \(text): unknown exchange")
            }
            let market = scope.count == 2 ? scope[1] : nil
            if parts[1] == "off" { return SimRateLimitOverride(exchange: exchange, market: market, enabled: false) }
            let numbers = parts[1].split(separator: "/").map(String.init)
            guard numbers.count == 2, let capacity = Double(numbers[0]), capacity > 0, let window = Int64(numbers[1]), window > 0 else {
                throw ValidationError("--rate-limit \(text): expected CAPACITY/WINDOW_MS, e.g. 200/1000")
            }
            return SimRateLimitOverride(exchange: exchange, market: market, enabled: true, capacity: capacity, windowMs: window)
        }
    }
}
