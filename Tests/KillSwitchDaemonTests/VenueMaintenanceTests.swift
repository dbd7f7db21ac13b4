import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
@testable import KillSwitchDaemon
import VenueSim

/// The venue maintenance service against venue-sim over real HTTP, its intervals on a manual clock.
extension EngineIntegration {
@Suite(.serialized, .timeLimit(.minutes(1))) struct VenueMaintenanceTests {
    typealias Report = VenueMaintainer.Report

    static let wallNow: Int64 = 1_700_000_000_000

    static func service(_ daemon: Daemon, venues: [String]? = nil, settings: MaintenanceSettings, clock: ManualClock,
                        isIncidentRunning: @escaping @Sendable (String) async -> Bool = { _ in false },
                        reports: AsyncStream<Report>.Continuation) -> VenueMaintenanceService {
        let clients = daemon.clients.filter { venues?.contains($0.key) ?? true }
        return VenueMaintenanceService(clients: clients, limits: daemon.limits, health: daemon.health, events: daemon.events, settings: settings,
                                       clock: clock, logger: daemon.logger, wallClock: WallClock { wallNow },
                                       isIncidentRunning: isIncidentRunning, observe: { reports.yield($0) })
    }

    /// Reads reports until `done` says the collected ones suffice.
    static func collect(_ iterator: inout AsyncStream<Report>.Iterator, until done: ([Report]) -> Bool) async -> [Report] {
        var seen: [Report] = []
        while !done(seen), let next = await iterator.next() { seen.append(next) }
        return seen
    }

    static func armedChecks(_ reports: [Report]) -> [String: Bool] {
        var result: [String: Bool] = [:]
        for case .armedChecked(let venue, let ok) in reports { result[venue] = ok }
        return result
    }

    @Test func armedChecksPassClockSyncsAndBinanceLimitLandInHealth() async throws {
        var sim = VenueSimConfiguration()
        sim.rateLimitOverrides = [SimRateLimitOverride(exchange: "binance", capacity: 1200, windowMs: 60_000)]
        let harness = try await EngineHarness.start(simConfiguration: sim)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon(warmConnections: false)
        defer { Task { try? await daemon.shutdown() } }
        let clock = ManualClock()
        let (reports, sink) = AsyncStream<Report>.makeStream()
        let service = Self.service(daemon, settings: MaintenanceSettings(keepWarm: .seconds(15), armedCheck: .seconds(60)), clock: clock, reports: sink)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        var iterator = reports.makeAsyncIterator()

        // At start: every venue's clock synced and armed check passed; Binance's published limit applied.
        let first = await Self.collect(&iterator) { Self.armedChecks($0).count == 5 }
        #expect(Self.armedChecks(first) == Dictionary(uniqueKeysWithValues: EngineHarness.specs.map { ($0.id, true) }))
        #expect(first.contains(.weightLimitApplied(venueId: "binance", BucketLimit(capacity: 1200, window: .seconds(60)))))
        #expect(daemon.limits.buckets(venueId: "binance")["weight"]?.capacity == 1200)
        for spec in EngineHarness.specs {
            let health = daemon.health.health(spec.id)
            #expect(health.armedCheckOK == true, "\(spec.id)")
            #expect(health.armedCheckAt == Self.wallNow)
            #expect(health.armedCheckDetail?.contains("signed listing answered") == true)
            #expect(health.armedCheckDetail?.contains("can cancel: a cancel of an order that cannot exist was answered 'not found'") == true, "\(spec.id)")
            #expect(health.clockOffsetMilliseconds != nil)
            #expect(health.lastAnswerOK == true)
        }

        // Keep-warm every 15 s; the armed check only every 60 s.
        func requests(_ path: String) async -> Int { await harness.sim.requests(since: 0).filter { $0.path.hasSuffix(path) }.count }
        // Each keep-warm holds as many connections open as a trip's first burst uses (one concurrent call each),
        // then takes one clean clock sample.
        let warm = ConnectionWarmer.count(venueId: "binance", limits: daemon.limits)
        #expect(warm == ConnectionWarmer.maximum)
        #expect(await requests("/dapi/v1/time") == warm + 1)
        for round in 1...4 {
            await clock.waitForSleepers(count: 5)
            clock.advance(by: .seconds(15))
            let reportsOfRound = await Self.collect(&iterator) { seen in
                seen.filter { if case .clockSynced = $0 { true } else { false } }.count == 5
                    && (round < 4 || Self.armedChecks(seen).count == 5)
            }
            #expect(Self.armedChecks(reportsOfRound).count == (round < 4 ? 0 : 5), "round \(round)")
        }
        #expect(await requests("/dapi/v1/time") == 5 * (warm + 1))
        #expect(await requests("/dapi/v1/openOrders") == 2)
        // Each armed check also proves the key may cancel: one cancel of an order that cannot exist.
        #expect(await requests("/dapi/v1/batchOrders") == 2)
        #expect(await requests("/dapi/v1/exchangeInfo") == 2)
    }

    @Test func badCredentialsAreRecordedAndPublishedOncePerTransition() async throws {
        let harness = try await EngineHarness.start(badCredentialsFor: ["gate-spot"])
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon(warmConnections: false)
        defer { Task { try? await daemon.shutdown() } }
        let events = daemon.events.subscribe()
        let clock = ManualClock()
        let (reports, sink) = AsyncStream<Report>.makeStream()
        let service = Self.service(daemon, venues: ["gate-spot"], settings: MaintenanceSettings(keepWarm: .seconds(60), armedCheck: .seconds(60)),
                                   clock: clock, reports: sink)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        var iterator = reports.makeAsyncIterator()

        for round in 0..<3 {
            if round > 0 {
                await clock.waitForSleepers(count: 1)
                clock.advance(by: .seconds(60))
            }
            let seen = await Self.collect(&iterator) { Self.armedChecks($0).count == 1 }
            #expect(Self.armedChecks(seen) == ["gate-spot": false])
        }
        let health = daemon.health.health("gate-spot")
        #expect(health.armedCheckOK == false)
        #expect(health.armedCheckAt == Self.wallNow)
        let detail = try #require(health.armedCheckDetail)
        #expect(detail.hasPrefix("rejected"))
        #expect(!detail.contains("wrong-secret") && !detail.contains("test-api-key"))

        // Three failing rounds, one event: a sentinel published after them closes the count.
        daemon.events.publish(.armedCheckFailed(venueId: "sentinel", detail: ""))
        var failures: [String] = []
        for await event in events {
            guard case .armedCheckFailed(let venue, _) = event else { continue }
            if venue == "sentinel" { break }
            failures.append(venue)
        }
        #expect(failures == ["gate-spot"])
    }

    /// A key that can list but not cancel fails the armed check, and status says "cannot cancel". The probe
    /// cancels nothing: orders resting under the trading key and the read-only key stay open.
    @Test func aReadOnlyKeyFailsTheArmedCheck() async throws {
        var sim = VenueSimConfiguration()
        sim.accounts = SimAccount.demoAccounts.map { account in
            var account = account
            account.readOnly = account.exchange == "gate"
            return account
        }
        let harness = try await EngineHarness.start(simConfiguration: sim)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon(warmConnections: false)
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 2, store: daemon.store, venues: EngineHarness.specs.filter { ["gate-spot", "binance"].contains($0.id) })
        let events = daemon.events.subscribe()
        let clock = ManualClock()
        let (reports, sink) = AsyncStream<Report>.makeStream()
        let service = Self.service(daemon, venues: ["gate-spot", "binance"], settings: MaintenanceSettings(), clock: clock, reports: sink)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        var iterator = reports.makeAsyncIterator()
        let seen = await Self.collect(&iterator) { Self.armedChecks($0).count == 2 }
        #expect(Self.armedChecks(seen) == ["gate-spot": false, "binance": true])

        let detail = try #require(daemon.health.health("gate-spot").armedCheckDetail)
        #expect(detail.hasPrefix("cannot cancel: the venue refused the key a cancel READ_ONLY (HTTP 403)"), "\(detail)")
        let status = try await daemon.statusReport()
        let gate = try #require(status.venues.first { $0.venue == "gate-spot" })
        #expect(gate.armedCheckOK == false && gate.armedCheckDetail?.hasPrefix("cannot cancel") == true)
        #expect(status.venues.first { $0.venue == "binance" }?.armedCheckOK == true)
        for await event in events {
            if case .armedCheckFailed(let venue, let published) = event {
                #expect(venue == "gate-spot" && published.hasPrefix("cannot cancel"))
                break
            }
        }
        // Nothing was cancelled: the probe names an order that cannot exist.
        #expect(await harness.sim.orders(exchange: "gate", market: "spot", status: "open").count == 2)
        #expect(await harness.sim.orders(exchange: "binance", market: nil, status: "open").count == 2)
        let probes = await harness.sim.requests(since: 0).filter { $0.path == "/api/v4/spot/cancel_batch_orders" || $0.path == "/dapi/v1/batchOrders" }
        #expect(probes.count == 2)
        #expect(probes.allSatisfy { $0.orderIds.isEmpty }, "no order was touched")
    }

    @Test func backgroundCallsWaitWhileAnIncidentHoldsTheReserve() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon(warmConnections: false)
        defer { Task { try? await daemon.shutdown() } }
        // What the trip engine does while any incident runs.
        daemon.limits.setReserveForIncidents(true)
        let clock = ManualClock()
        let (reports, sink) = AsyncStream<Report>.makeStream()
        let service = Self.service(daemon, venues: ["binance"], settings: MaintenanceSettings(), clock: clock, reports: sink)
        let task = Task { try await service.run() }
        defer { task.cancel() }

        // The first background call (the time endpoint, weight 1) queues in the weight bucket and waits.
        let weight = try #require(daemon.limits.buckets(venueId: "binance")["weight"])
        await weight.waitForWaiters(count: 1)
        #expect(weight.level == Double(weight.capacity), "the budget is untouched")
        #expect(await harness.sim.requests(since: 0).filter { $0.exchange == "binance" }.isEmpty)
        #expect(daemon.health.health("binance").lastAnswerAt == nil)

        daemon.limits.setReserveForIncidents(false)
        var iterator = reports.makeAsyncIterator()
        _ = await Self.collect(&iterator) { Self.armedChecks($0) == ["binance": true] }
        let paths = await harness.sim.requests(since: 0).filter { $0.exchange == "binance" }.map(\.path)
        let warm = ConnectionWarmer.count(venueId: "binance", limits: daemon.limits)
        #expect(paths == Array(repeating: "/dapi/v1/time", count: warm + 1) + ["/dapi/v1/exchangeInfo", "/dapi/v1/openOrders", "/dapi/v1/batchOrders"])
    }

    @Test func nothingIsSentToAVenueWhileAnIncidentOnItRuns() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon(warmConnections: false)
        defer { Task { try? await daemon.shutdown() } }
        let clock = ManualClock()
        let (reports, sink) = AsyncStream<Report>.makeStream()
        let service = Self.service(daemon, venues: ["htx", "bitget"], settings: MaintenanceSettings(), clock: clock,
                                   isIncidentRunning: { $0 == "htx" }, reports: sink)
        let task = Task { try await service.run() }
        defer { task.cancel() }
        var iterator = reports.makeAsyncIterator()
        let seen = await Self.collect(&iterator) { seen in
            Self.armedChecks(seen)["bitget"] != nil && seen.contains(.skipped(venueId: "htx", .openOrders(symbol: false)))
        }
        #expect(seen.contains(.skipped(venueId: "htx", .time)))
        #expect(Self.armedChecks(seen) == ["bitget": true])
        let log = await harness.sim.requests(since: 0)
        #expect(log.filter { $0.exchange == "htx" }.isEmpty)
        #expect(!log.filter { $0.exchange == "bitget" }.isEmpty)
        #expect(daemon.health.health("htx").armedCheckAt == nil)
    }

    @Test func theTripEngineSaysWhichVenuesHaveARunningIncident() async throws {
        var sim = VenueSimConfiguration()
        sim.latencyMs = 300
        let harness = try await EngineHarness.start(simConfiguration: sim)
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon(warmConnections: false)
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 5, store: daemon.store, venues: EngineHarness.specs.filter { $0.id == "htx" })
        #expect(await !daemon.engine.isIncidentRunning(onVenue: "htx"))
        let incident = await daemon.engine.trip(scope: Scope(venue: "htx"), reason: "test", actor: "tests")
        // Each request takes 300 ms at the simulator: the incident is still running.
        #expect(await daemon.engine.isIncidentRunning(onVenue: "htx"))
        #expect(await !daemon.engine.isIncidentRunning(onVenue: "bitget"))
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
    }
}
}
