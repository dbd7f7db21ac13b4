import ArgumentParser
import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchCLI
@testable import KillSwitchDaemon
import KillSwitchStore
import Prometheus
import VenueSim

/// A real incident against venue-sim (one venue with a bad key, one with faults), then the audit queries, the
/// CLI's three output formats, the metrics, and the real binary reading the database as an unprivileged user.
extension EngineIntegration {
@Suite(.serialized) struct AuditIntegrationTests {
    struct Incident {
        let harness: EngineHarness
        let daemon: Daemon
        let id: Int64
        let db: SQLiteConnection
        var path: String { harness.configuration.database }

        func count(_ sql: String) throws -> Int { Int(try db.scalarInt(sql) ?? -1) }
    }

    /// Trips everything with Bitget's key wrong (its 30 orders end `rejected`) and Gate futures answering 5xx
    /// until its first 5xx is seen (so it retries), runs the metrics service on the daemon's events, then
    /// force-re-arms.
    static func runIncident(_ body: (Incident) async throws -> Void) async throws {
        var simConfiguration = VenueSimConfiguration()
        simConfiguration.seed = 11
        let harness = try await EngineHarness.start(simConfiguration: simConfiguration, badCredentialsFor: ["bitget"])
        defer { Task { await harness.shutdown() } }
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        try await harness.seed(perVenue: 30, store: daemon.store)
        daemon.killSwitchMetrics.ordersChanged()
        try await harness.sim.setFaults(SimFaults(exchange: "gate", market: "futures", errorRate: 1))

        // The metrics service reads a copy of the daemon's events that the test ends once the incident has ended,
        // so it has processed every event when the test reads the metrics.
        let feed = daemon.events.subscribe()
        let (events, sink) = AsyncStream<DaemonEvent>.makeStream()
        let service = Task { try await MetricsService(metrics: daemon.killSwitchMetrics, events: events).run() }
        let id = await daemon.engine.trip(scope: .everything, reason: "audit drill", actor: "tests")
        // Lift Gate's fault once the venue (another component: observed through its request log) has failed a request.
        var failed = false
        let giveUp = ContinuousClock.now + .seconds(10)
        while !failed && ContinuousClock.now < giveUp {
            failed = await harness.sim.requests(since: 0).contains { $0.exchange == "gate" && $0.verdict == "fault:error" }
            if !failed { try await Task.sleep(for: .milliseconds(2)) }
        }
        #expect(failed)
        try await harness.sim.setFaults(SimFaults(exchange: "gate", market: "futures"))
        #expect(await daemon.engine.waitForIncident(id) == .incomplete)
        daemon.events.publish(.armedCheckFailed(venueId: "bitget", detail: "invalid signature"))
        var ended = false, armedCheck = false
        for await event in feed {
            sink.yield(event)
            if case .incidentEnded = event { ended = true }
            if case .armedCheckFailed = event { armedCheck = true }
            if ended && armedCheck { break }
        }
        sink.finish()
        try await service.value
        try await daemon.rearm(incidentId: id, operator: "ops", reason: "bitget key replaced", force: true)

        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        try await body(Incident(harness: harness, daemon: daemon, id: id, db: db))
    }

    @Test func auditQueriesAgreeWithTheRecords() async throws {
        try await Self.runIncident { incident in
            let reader = try StoreReader(path: incident.path)
            let id = incident.id
            let listed = try reader.auditIncidents()
            #expect(listed.map(\.id) == [id])
            #expect(listed.first?.state == "incomplete" && listed.first?.rearmedBy == "ops")

            let t = try reader.auditTimeline(incident: id)
            #expect(t.state == "incomplete" && t.trigger.actor == "tests" && t.trigger.reason == "audit drill" && t.trigger.ruleId == nil)
            #expect(t.timeToFlatMilliseconds == nil)
            #expect(t.durationMilliseconds == Int64(try incident.count("SELECT ended_at - tripped_at FROM incidents WHERE id = \(id)")))
            #expect(t.firstRequestAt == Int64(try incident.count("SELECT min(sent_at) FROM cancel_intents WHERE incident_id = \(id)")))
            #expect(t.venues.map(\.venueId) == ["binance", "bitget", "gate-fut", "gate-spot", "htx"])
            #expect(t.requests == (try incident.count("SELECT count(*) FROM cancel_intents WHERE incident_id = \(id)")))
            for venue in t.venues {
                let v = "'\(venue.venueId)'"
                #expect(venue.requests == (try incident.count("SELECT count(*) FROM cancel_intents WHERE incident_id = \(id) AND venue_id = \(v)")))
                #expect(venue.retries == (try incident.count("SELECT count(*) FROM cancel_intents WHERE incident_id = \(id) AND venue_id = \(v) AND kind = 'batch-cancel' AND attempt > 1")))
                #expect(venue.outcomes.values.reduce(0, +) == (try incident.count(
                    "SELECT count(*) FROM cancel_outcomes c JOIN orders o ON o.id = c.order_id WHERE c.incident_id = \(id) AND o.venue_id = \(v)")))
                #expect(venue.latencyMaxMicroseconds == Int64(try incident.count(
                    "SELECT max(r.latency_us) FROM cancel_responses r JOIN cancel_intents i ON i.id = r.intent_id WHERE i.incident_id = \(id) AND i.venue_id = \(v)")))
                #expect(venue.listings >= 1)
            }
            #expect(t.retries.contains { $0.venueId == "gate-fut" }, "gate's 5xx answers must have caused retries")
            #expect(t.totals["rejected"] == 30)
            #expect(t.totals.values.reduce(0, +) == t.orders)
            #expect(t.auditEvents.map(\.kind).filter { $0 != "cancel-strategy" } == ["trip", "incident-end", "rearm-forced"])
            // The strategy chosen per venue entry, and why.
            let strategies = t.auditEvents.filter { $0.kind == "cancel-strategy" }
            #expect(strategies.compactMap { $0.detail["venue"] }.sorted() == ["binance", "bitget", "gate-fut", "gate-spot", "htx"])
            #expect(strategies.allSatisfy { $0.detail["plan"] != nil && $0.detail["reason"]?.isEmpty == false })

            let rejected = try reader.auditOrders(incident: id, outcome: .rejected)
            #expect(rejected.count == 30 && rejected.allSatisfy { $0.venueId == "bitget" && $0.outcome == .rejected })
            let cancelled = try reader.auditOrders(incident: id, outcome: .cancelled)
            let closed = try reader.auditOrders(incident: id, outcome: .alreadyClosed)
            #expect(cancelled.count + closed.count == 120)
            #expect(cancelled.count + closed.count + rejected.count == (try reader.auditOrders(incident: id)).count)

            let requests = try reader.auditRequests(incident: id)
            #expect(requests.count == t.requests)
            #expect(requests.flatMap(\.outcomes).reduce(0) { $0 + $1.value } == (try incident.count(
                "SELECT count(*) FROM cancel_outcomes WHERE incident_id = \(id) AND intent_id IS NOT NULL")))
            #expect(requests.filter { $0.kind == "batch-cancel" }.map(\.orderCount).reduce(0, +) == (try incident.count(
                "SELECT sum(json_array_length(order_ids)) FROM cancel_intents WHERE incident_id = \(id)")))
        }
    }

    @Test func cliOutputInAllThreeFormats() async throws {
        try await Self.runIncident { incident in
            let reader = try StoreReader(path: incident.path)
            let id = incident.id
            let incidents = try reader.auditIncidents()
            let timeline = try reader.auditTimeline(incident: id)

            // incidents
            let incidentsTable = AuditIncidentsCommand.render(incidents, format: .table)
            #expect(incidentsTable.hasPrefix("ID  STATE"))
            #expect(incidentsTable.contains("incomplete") && incidentsTable.contains("audit drill"))
            let incidentsJSON = try #require(try JSONSerialization.jsonObject(with: Data(AuditIncidentsCommand.render(incidents, format: .json).utf8)) as? [[String: Any]])
            #expect(incidentsJSON.first?["id"] as? Int == Int(id) && incidentsJSON.first?["state"] as? String == "incomplete")
            let incidentsCSV = AuditIncidentsCommand.render(incidents, format: .csv).split(separator: "\n")
            #expect(incidentsCSV.count == 2 && incidentsCSV[0].hasPrefix("id,state,trippedAt"))

            // one incident's timeline
            let text = IncidentTimelineText.render(timeline, format: .table)
            for expected in ["Incident \(id): incomplete", "Trigger         manual trip by tests", "Reason          audit drill", "Time to flat    - (incomplete: not flat)",
                             "Venues", "Retries (\(timeline.retries.count))", "Open-order listings", "Audit events", "rearm-forced", "rejected=30"] {
                #expect(text.contains(expected), "\(expected)")
            }
            let object = try #require(try JSONSerialization.jsonObject(with: Data(IncidentTimelineText.render(timeline, format: .json).utf8)) as? [String: Any])
            #expect(object["incidentId"] as? Int == Int(id))
            #expect((object["venues"] as? [Any])?.count == 5)
            #expect((object["totals"] as? [String: Int])?["rejected"] == 30)
            let csv = IncidentTimelineText.render(timeline, format: .csv).split(separator: "\n", omittingEmptySubsequences: false)
            #expect(csv.first == "at,kind,venue,symbol,detail")
            #expect(csv.count == timeline.events.count + 1)
            #expect(csv.dropFirst().first?.contains(",trip,") == true)
            #expect(csv.contains { $0.contains(",retry,gate-fut,") })
            // The function `killswitch demo` prints at its end gives the same text.
            #expect(try renderAuditTimeline(databasePath: incident.path, incident: id) == text)

            // orders, filtered by outcome
            let rejected = try reader.auditOrders(incident: id, outcome: .rejected)
            let ordersCSV = AuditOrdersCommand.render(rejected, format: .csv).split(separator: "\n")
            #expect(ordersCSV.count == 31)
            #expect(ordersCSV.dropFirst().allSatisfy { $0.contains(",bitget,") && $0.contains(",rejected,") })
            let ordersJSON = try #require(try JSONSerialization.jsonObject(with: Data(AuditOrdersCommand.render(rejected, format: .json).utf8)) as? [[String: Any]])
            #expect(ordersJSON.count == 30 && ordersJSON.allSatisfy { $0["outcome"] as? String == "rejected" })
            let ordersTable = AuditOrdersCommand.render(rejected, format: .table).split(separator: "\n")
            #expect(ordersTable.count == 31 && ordersTable[0].hasPrefix("ORDERID"))

            // requests
            let requests = try reader.auditRequests(incident: id)
            let requestsCSV = AuditRequestsCommand.render(requests, format: .csv).split(separator: "\n")
            #expect(requestsCSV.count == requests.count + 1)
            #expect(requestsCSV[0] == "intent,venue,symbol,kind,attempt,orders,sentAt,http,venueCode,latencyMs,cancelled,alreadyClosed,closedAfterCancelAll,pending,rateLimited,retryable,rejected,unknown,error")
            let requestsJSON = try #require(try JSONSerialization.jsonObject(with: Data(AuditRequestsCommand.render(requests, format: .json).utf8)) as? [[String: Any]])
            #expect(requestsJSON.count == requests.count)
            #expect(AuditRequestsCommand.render(requests, format: .table).split(separator: "\n").count == requests.count + 1)

            // Through the argument parser: a bad outcome kind is a usage error, an unknown incident a failure.
            await expectExit(64, ["audit", "orders", "--db", incident.path, "--incident", "\(id)", "--outcome", "canceled"])
            await expectExit(1, ["audit", "incident", "99", "--db", incident.path])
            await expectExit(1, ["audit", "requests", "--incident", "99", "--db", incident.path])
        }
    }

    private func expectExit(_ code: Int32, _ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            var command = try KillSwitchCommand.parseAsRoot(arguments)
            if var async = command as? AsyncParsableCommand { try await async.run() } else { try command.run() }
            Issue.record("\(arguments) succeeded; expected exit \(code)", sourceLocation: sourceLocation)
        } catch let exit as ExitCode {
            #expect(exit.rawValue == code, sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(arguments) threw \(error); expected exit \(code)", sourceLocation: sourceLocation)
        }
    }

    @Test func metricsMatchTheRecords() async throws {
        try await Self.runIncident { incident in
            let series = MetricsText.parse(incident.daemon.metrics)
            let id = incident.id
            for venue in EngineHarness.specs.map(\.id) {
                for kind in CancelOutcomeKind.allCases {
                    let recorded = try incident.count("""
                        SELECT count(*) FROM cancel_outcomes c JOIN orders o ON o.id = c.order_id
                        WHERE c.incident_id = \(id) AND o.venue_id = '\(venue)' AND c.outcome = '\(kind.rawValue)'
                        """)
                    #expect(series["killswitch_cancel_outcomes_total{venue=\"\(venue)\",kind=\"\(kind.rawValue)\"}"] == Double(recorded), "\(venue) \(kind)")
                }
                let answered = try incident.count("""
                    SELECT count(*) FROM cancel_responses r JOIN cancel_intents i ON i.id = r.intent_id
                    WHERE i.incident_id = \(id) AND i.venue_id = '\(venue)' AND coalesce(r.transport_error, '') NOT LIKE 'not sent%'
                    """)
                #expect(answered > 0)
                #expect(series["killswitch_venue_request_duration_seconds_count{venue=\"\(venue)\"}"] == Double(answered), "\(venue)")
                // Every request that left waited for its tokens first.
                #expect(series["killswitch_rate_limit_wait_seconds_count{venue=\"\(venue)\"}"] == Double(answered), "\(venue)")
            }
            #expect(series["killswitch_trips_total{rule=\"manual\"}"] == 1)
            #expect(series["killswitch_incident_duration_seconds_count{outcome=\"incomplete\"}"] == 1)
            #expect(series["killswitch_incident_duration_seconds_count{outcome=\"flat\"}"] == 0)
            #expect(series["killswitch_armed_check_failures_total{venue=\"bitget\"}"] == 1)
            #expect(series["killswitch_armed_check_failures_total{venue=\"htx\"}"] == 0)
            for status in OrderStatus.allCases {
                let tracked = try incident.count("SELECT count(*) FROM orders WHERE merged_into IS NULL AND status = '\(status.rawValue)'")
                #expect(series["killswitch_orders_tracked{status=\"\(status.rawValue)\"}"] == Double(tracked), "\(status)")
            }
            #expect(series["killswitch_orders_tracked{status=\"acknowledged\"}"] == 30)
            // Part of the daemon's group (kept there until its shutdown by `StaysUntilShutdown`).
            #expect(incident.daemon.services().contains { $0.service is StaysUntilShutdown<MetricsService> })
        }
    }

    /// The real binary, as a user who can read the database but not write its folder or files, while the
    /// daemon still holds the database: every audit command works and nothing is created next to it.
    @Test func theBinaryAuditsAsAnUnprivilegedUserWhileTheDaemonRuns() async throws {
        try await Self.runIncident { incident in
            let directory = incident.harness.directory
            let files = FileManager.default
            let before = try files.contentsOfDirectory(atPath: directory).sorted()
            #expect(before.contains("ks.db-wal") && before.contains("ks.db-shm"))
            let unprivileged = try UnprivilegedRunner(readableFile: incident.path, directory: directory)
            defer { unprivileged.restore() }

            let timeline = try await unprivileged.run(["audit", "incident", "\(incident.id)", "--db", incident.path, "--format", "json"])
            #expect(timeline.status == 0, "\(timeline.stderr)")
            let object = try JSONSerialization.jsonObject(with: Data(timeline.stdout.utf8)) as? [String: Any]
            #expect(object?["incidentId"] as? Int == Int(incident.id))
            let orders = try await unprivileged.run(["audit", "orders", "--incident", "\(incident.id)", "--outcome", "rejected", "--format", "csv", "--db", incident.path])
            #expect(orders.status == 0, "\(orders.stderr)")
            #expect(orders.stdout.split(separator: "\n").count == 31)
            let listing = try await unprivileged.run(["audit", "incidents", "--db", incident.path])
            #expect(listing.status == 0 && listing.stdout.contains("audit drill"))
            let unknown = try await unprivileged.run(["audit", "incident", "99", "--db", incident.path])
            #expect(unknown.status == 1 && unknown.stderr.contains("no incident 99"))
            let badKind = try await unprivileged.run(["audit", "orders", "--incident", "\(incident.id)", "--outcome", "gone", "--db", incident.path])
            #expect(badKind.status == 64)
            #expect(badKind.stderr.contains("--outcome: \"gone\" is not a cancel outcome; expected one of cancelled, alreadyClosed, closedAfterCancelAll, pending, rateLimited, retryable, rejected, unknown"))
            #expect(try files.contentsOfDirectory(atPath: directory).sorted() == before)
        }
    }

    /// A log with commits but no -shm cannot be read without creating the -shm: a clear error, never a read of
    /// the main file alone (which would silently miss those commits).
    @Test func aLogWithoutItsSharedMemoryFileIsAnErrorForAReaderWhoCannotCreateIt() async throws {
        try await Self.runIncident { incident in
            let copy = NSTemporaryDirectory() + "ks-audit-nolog-" + UUID().uuidString
            let files = FileManager.default
            try files.createDirectory(atPath: copy, withIntermediateDirectories: true)
            defer { try? files.removeItem(atPath: copy) }
            try files.copyItem(atPath: incident.path, toPath: copy + "/ks.db")
            try files.copyItem(atPath: incident.path + "-wal", toPath: copy + "/ks.db-wal")
            let walSize = (try files.attributesOfItem(atPath: copy + "/ks.db-wal")[.size] as? NSNumber)?.intValue ?? 0
            #expect(walSize > 0)
            let unprivileged = try UnprivilegedRunner(readableFile: copy + "/ks.db", directory: copy)
            defer { unprivileged.restore() }
            let result = try await unprivileged.run(["audit", "incidents", "--db", copy + "/ks.db"])
            #expect(result.status == 1)
            #expect(result.stderr.contains("needs \(copy)/ks.db-shm"), "\(result.stderr)")
            #expect(try files.contentsOfDirectory(atPath: copy).sorted() == ["ks.db", "ks.db-wal"])
        }
    }
}
}

/// Prometheus text as `series → value` (`name{labels}` exactly as rendered).
enum MetricsText {
    static func parse(_ registry: PrometheusCollectorRegistry) -> [String: Double] {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        var out: [String: Double] = [:]
        for line in String(decoding: buffer, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            out[String(line[..<space])] = value
        }
        return out
    }
}

/// Runs the built `killswitch` binary as a user who cannot write the database's folder: as root, through
/// `setpriv` as `nobody` with the database file's group (so it can read a 0640 file, as an operator in the
/// killswitch group would); otherwise as ourselves with the folder made read-only for the run.
struct UnprivilegedRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let directory: String
    let prefix: [String]
    let originalMode: Int

    init(readableFile: String, directory: String) throws {
        self.directory = directory
        let attributes = try FileManager.default.attributesOfItem(atPath: directory)
        originalMode = (attributes[.posixPermissions] as? Int) ?? 0o755
        if geteuid() == 0 {
            let group = (try FileManager.default.attributesOfItem(atPath: readableFile)[.groupOwnerAccountID] as? Int) ?? 0
            // nobody may not write the folder: it belongs to root and no group or other write bit is set.
            chmod(directory, 0o750)
            prefix = ["/usr/bin/setpriv", "--reuid=65534", "--regid=\(group)", "--clear-groups", "--"]
        } else {
            chmod(directory, 0o555)
            prefix = []
        }
    }

    func restore() { chmod(directory, mode_t(originalMode)) }

    func run(_ arguments: [String]) async throws -> Result {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("killswitch").path
        let process = Process()
        let command = prefix + [binary] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["KILLSWITCH_CONFIG"] = directory + "/no-such-config.toml"
        process.environment = environment
        // Output goes to files outside the audited folder (a pipe could fill and block the child).
        let capture = NSTemporaryDirectory() + "ks-audit-out-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: capture + ".out", contents: nil)
        _ = FileManager.default.createFile(atPath: capture + ".err", contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: capture + ".out")
            try? FileManager.default.removeItem(atPath: capture + ".err")
        }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: capture + ".out"))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: capture + ".err"))
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        return Result(status: status, stdout: (try? String(contentsOfFile: capture + ".out", encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOfFile: capture + ".err", encoding: .utf8)) ?? "")
    }
}
