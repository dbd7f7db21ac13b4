import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchStore
import VenueSim

/// A real `killswitch run` child process killed abruptly at several points of an incident's fan-out, then
/// started again: it must finish the incident, forget no order, and not re-send answered requests.
extension EngineIntegration {
@Suite(.serialized) struct CrashResumeTests {
    static var killswitchBinary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("killswitch").path
    }

    /// Writes a TOML config and a 0600 secrets file for the harness's venues.
    static func writeConfig(_ harness: EngineHarness) throws -> String {
        var toml = """
            database = "\(harness.configuration.database)"
            socket = "\(harness.directory)/control.sock"
            secrets_file = "secrets.toml"

            [engine]
            incident_deadline = "60s"
            retry_initial = "20ms"
            retry_max = "500ms"
            safety_margin = 0

            """
        var secrets = ""
        for venue in harness.configuration.venues {
            let d = venue.descriptor
            toml += "\n[[venues]]\nid = \"\(d.id)\"\nkind = \"\(d.kind.rawValue)\"\nbase_url = \"\(d.baseURL)\"\nrequest_timeout = \"2s\"\n"
            if let v = d.market.settle { toml += "settle = \"\(v)\"\n" }
            if let v = d.market.productType { toml += "product_type = \"\(v)\"\n" }
            if let v = d.market.marginCoin { toml += "margin_coin = \"\(v)\"\n" }
            if let v = d.market.accountId { toml += "account_id = \"\(v)\"\n" }
            if let v = d.market.gateAccount { toml += "gate_account = \"\(v)\"\n" }
            secrets += "[\(d.id)]\nkey = \"test-api-key\"\nsecret = \"test-api-secret\"\npassphrase = \"test-passphrase\"\n"
        }
        let config = harness.directory + "/killswitch.toml"
        try toml.write(toFile: config, atomically: true, encoding: .utf8)
        try secrets.write(toFile: harness.directory + "/secrets.toml", atomically: true, encoding: .utf8)
        chmod(harness.directory + "/secrets.toml", 0o600)
        return config
    }

    /// Runs `killswitch run --config F --exit-when-idle` to completion; returns its exit status.
    static func runDaemon(config: String, environment extra: [String: String]) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: killswitchBinary)
        process.arguments = ["run", "--config", config, "--exit-when-idle", "--log-level", "error"]
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        return try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
    }

    @Test(arguments: [
        ("KILLSWITCH_TEST_CRASH_AFTER_INTENTS", 1),
        ("KILLSWITCH_TEST_CRASH_AFTER_INTENTS", 7),
        ("KILLSWITCH_TEST_CRASH_AFTER_ANSWERS", 4),
        ("KILLSWITCH_TEST_CRASH_AFTER_INTENTS", 22),
    ])
    func killedMidFanOutResumesAndFinishes(point: String, count: Int) async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let config = try Self.writeConfig(harness)
        let incidentId: Int64
        do {
            let store = try Store(options: StoreOptions(path: harness.configuration.database), venues: harness.configuration.venueDescriptors)
            try await harness.seed(perVenue: 60, store: store)
            incidentId = try await store.createIncident(scope: .everything, ruleId: nil, actor: "tests", reason: "crash test",
                                                        deadlineAt: WallClock.system.now() + 120_000).id
        }

        let crashed = try await Self.runDaemon(config: config, environment: [point: String(count)])
        #expect(crashed == 86, "the child must die at the crash point")
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarText("SELECT state FROM incidents WHERE id = \(incidentId)") == "running")
        // What the first run recorded before dying: answered batch intents and their terminal orders.
        let answeredBefore = try db.scalarInt("SELECT count(*) FROM cancel_responses") ?? 0
        let terminalBefore = Set(try db.prepare("""
            SELECT o.order_id FROM cancel_outcomes o WHERE o.outcome IN ('cancelled', 'alreadyClosed', 'rejected')
            """).rows().compactMap { $0[0].intValue })
        let lastIntentBefore = try db.scalarInt("SELECT coalesce(max(id), 0) FROM cancel_intents") ?? 0
        // Requests sent but never answered when the process died: (venue, orders).
        let unansweredBefore = try db.prepare("""
            SELECT i.venue_id, i.order_ids FROM cancel_intents i LEFT JOIN cancel_responses r ON r.intent_id = i.id
            WHERE r.id IS NULL AND i.kind = 'batch-cancel'
            """).rows().map { ($0[0].textValue ?? "", (try? JSONDecoder().decode([Int64].self, from: Data(($0[1].textValue ?? "[]").utf8))) ?? []) }

        let resumed = try await Self.runDaemon(config: config, environment: [:])
        #expect(resumed == 0)
        #expect(try db.scalarText("SELECT state FROM incidents WHERE id = \(incidentId)") == "flat")
        #expect(await harness.sim.orders(exchange: nil, market: nil, status: "open").isEmpty)
        #expect(await harness.sim.orders(exchange: nil, market: nil, status: "cancelled").count == 300)
        // No order forgotten: every order has a terminal outcome in this incident.
        #expect(try db.scalarInt("""
            SELECT count(*) FROM orders WHERE id NOT IN (SELECT order_id FROM cancel_outcomes WHERE incident_id = \(incidentId) AND outcome IN ('cancelled', 'alreadyClosed'))
            """) == 0)
        // A request whose answer was recorded is not re-sent: no later batch carries an order already terminal.
        let laterBatches = try db.prepare("SELECT order_ids FROM cancel_intents WHERE id > \(lastIntentBefore) AND kind = 'batch-cancel'").rows()
        let resent = laterBatches.flatMap { row in (try? JSONDecoder().decode([Int64].self, from: Data((row[0].textValue ?? "[]").utf8))) ?? [] }
        #expect(Set(resent).isDisjoint(with: terminalBefore))
        #expect(answeredBefore > 0 || point == "KILLSWITCH_TEST_CRASH_AFTER_INTENTS")
        // Both runs resumed the incident (the first found it freshly tripped, the second found it mid-flight).
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'resume' AND incident_id = \(incidentId)") == 2)
        // A request sent but unanswered counts as unknown: its venue is listed before any of its orders is re-sent.
        for (venue, orders) in unansweredBefore {
            let firstListing = try db.scalarInt("SELECT min(id) FROM cancel_intents WHERE venue_id = '\(venue)' AND kind = 'list-open' AND id > \(lastIntentBefore)")
            let firstListingId = try #require(firstListing, "venue \(venue) must be listed after the restart")
            let resends = try db.prepare("SELECT id, order_ids FROM cancel_intents WHERE venue_id = '\(venue)' AND kind = 'batch-cancel' AND id > \(lastIntentBefore)").rows()
            for row in resends {
                let ids = (try? JSONDecoder().decode([Int64].self, from: Data((row[1].textValue ?? "[]").utf8))) ?? []
                if !Set(ids).isDisjoint(with: orders) { #expect(row[0].intValue! > firstListingId) }
            }
        }
    }

    @Test func aResumeAfterAnOutageLongerThanTheDeadlineStillCancels() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let config = try Self.writeConfig(harness)
        let incidentId: Int64
        do {
            let store = try Store(options: StoreOptions(path: harness.configuration.database), venues: harness.configuration.venueDescriptors)
            try await harness.seed(perVenue: 20, store: store)
            incidentId = try await store.createIncident(scope: .everything, ruleId: nil, actor: "tests", reason: "outage test",
                                                        deadlineAt: WallClock.system.now() + 60_000).id
        }
        #expect(try await Self.runDaemon(config: config, environment: ["KILLSWITCH_TEST_CRASH_AFTER_INTENTS": "3"]) == 86)
        // The host stays down for three minutes: the incident's stored deadline is long past at the restart.
        do {
            let db = try SQLiteConnection(path: harness.configuration.database)
            try db.execute("UPDATE incidents SET deadline_at = \(WallClock.system.now() - 180_000) WHERE id = \(incidentId)")
        }
        #expect(try await Self.runDaemon(config: config, environment: [:]) == 0)
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarText("SELECT state FROM incidents WHERE id = \(incidentId)") == "flat")
        #expect(await harness.sim.orders(exchange: nil, market: nil, status: "open").isEmpty)
        #expect((try db.scalarInt("SELECT deadline_at FROM incidents WHERE id = \(incidentId)") ?? 0) > WallClock.system.now() - 60_000, "the resume set a fresh deadline")
    }

    @Test func afterACrashTheLastStoredHeartbeatCountsWithoutANewGrace() async throws {
        let rule = RuleDefinition(id: "bot-alive", scope: Scope(venue: "binance"), kind: .heartbeat(source: "bot", timeout: .milliseconds(400), grace: .seconds(60)))
        let harness = try await EngineHarness.start(rules: [rule])
        defer { Task { await harness.shutdown() } }
        // What a first daemon that heard the bot once and then died leaves behind: its start, the heartbeat,
        // and no clean stop.
        do {
            let store = try Store(options: StoreOptions(path: harness.configuration.database), venues: harness.configuration.venueDescriptors)
            try await store.appendAudit(kind: "daemon-start", incidentId: nil, actor: nil, detail: [:])
            try await store.recordHeartbeat(source: "bot")
        }
        // The restarted daemon does not give the bot a fresh 60 s grace: the stored heartbeat is 400 ms from
        // expiring, so it trips at once.
        let second = try await harness.makeDaemon()
        defer { Task { try? await second.shutdown() } }
        let events = second.events.subscribe()
        let tripped = await EventWait.first(events, within: .seconds(10)) { if case .tripped = $0 { true } else { false } }
        #expect(tripped != nil, "the heartbeat rule must fire from the stored heartbeat")
    }

    @Test func afterACleanStopTheHeartbeatGraceApplies() async throws {
        let rule = RuleDefinition(id: "bot-alive", scope: Scope(venue: "binance"), kind: .heartbeat(source: "bot", timeout: .milliseconds(400), grace: .seconds(60)))
        let harness = try await EngineHarness.start(rules: [rule])
        defer { Task { await harness.shutdown() } }
        let first = try await harness.makeDaemon()
        try await first.heartbeat(source: "bot")
        try await first.shutdown()
        let second = try await harness.makeDaemon()
        defer { Task { try? await second.shutdown() } }
        let evaluation = try #require(await second.rules.evaluations().first { $0.ruleId == "bot-alive" })
        #expect(!evaluation.fired)
        #expect(evaluation.reason.contains("waiting for the first heartbeat"), "after a clean stop the source gets its grace: \(evaluation.reason)")
    }
}
}
