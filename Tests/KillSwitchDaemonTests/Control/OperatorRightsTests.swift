#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore

/// Rights by group, with real users: a bot in the socket group only and an operator in both groups run the
/// real `killswitch` binary (through `setpriv`, holding exactly the groups the test gives them) against an
/// in-process daemon. Who did what is read back from the audit, as `killswitch audit incident N` shows it.
/// Needs root to create users (CI runs as root); skipped otherwise.
extension EngineIntegration {
@Suite(.serialized, .enabled(if: TestAccounts.canCreate, "needs root, useradd/groupadd (passwd) and setpriv (util-linux) to create and run as the bot and operator users (CI runs as root)"))
struct OperatorRightsTests {
    struct World {
        let accounts: TestAccounts
        let socketGroup: TestAccounts.Group
        let operatorGroup: TestAccounts.Group
        let bot: TestAccounts.User
        let operatorUser: TestAccounts.User
        let fixture: ControlFixture
        let binary: String

        static func start() async throws -> World {
            let accounts = TestAccounts()
            do {
                let socketGroup = try accounts.group("sock")
                let operatorGroup = try accounts.group("ops")
                let bot = try accounts.user("bot", memberOf: [socketGroup])
                let operatorUser = try accounts.user("op", memberOf: [socketGroup, operatorGroup])
                let fixture = try await ControlFixture.start(control: ControlSettings(socketGroup: socketGroup.name, operatorGroup: operatorGroup.name))
                // The users must be able to reach the socket's folder (the socket itself is 0660, the socket group's).
                chmod(fixture.harness.directory, 0o755)
                let binary = try TestAccounts.executableByAnyone(CrashResumeTests.killswitchBinary, in: fixture.harness.directory)
                return World(accounts: accounts, socketGroup: socketGroup, operatorGroup: operatorGroup, bot: bot, operatorUser: operatorUser,
                             fixture: fixture, binary: binary)
            } catch {
                accounts.remove()
                throw error
            }
        }

        /// `killswitch ARGS --socket S` as `user`, holding `groups` (the kernel's view of its membership).
        func killswitch(as user: TestAccounts.User, groups: [TestAccounts.Group], _ arguments: [String]) async throws -> ControlCLITests.Run {
            try await ControlCLITests.killswitch(arguments + ["--socket", fixture.socket], prefix: TestAccounts.runAs(user, groups: groups), binary: binary)
        }

        func stop() async {
            await fixture.stop()
            accounts.remove()
        }

        /// Runs `body` in a fresh world and always removes the users and groups before returning, failure
        /// included (a `defer { Task { … } }` could be cut short by the test process exiting).
        static func with(_ body: (World) async throws -> Void) async throws {
            let world = try await start()
            do {
                try await body(world)
            } catch {
                await world.stop()
                throw error
            }
            await world.stop()
        }
    }

    @Test func botsTripAndFeedButOnlyOperatorsRearmAndRetry() async throws {
        try await World.with { world in try await botsTripAndFeedButOnlyOperatorsRearmAndRetry(world) }
    }

    func botsTripAndFeedButOnlyOperatorsRearmAndRetry(_ world: World) async throws {
        let bot = world.bot, op = world.operatorUser
        let botGroups = [world.socketGroup], operatorGroups = [world.socketGroup, world.operatorGroup]

        // What a trading system needs.
        let beat = try await world.killswitch(as: bot, groups: botGroups, ["heartbeat", "bot-7"])
        #expect(beat.status == 0, "\(beat.stderr)")
        let status = try await world.killswitch(as: bot, groups: botGroups, ["status", "--format", "json"])
        #expect(status.status == 0, "\(status.stderr)")

        // Tripping is the safe direction: a bot may.
        let trip = try await world.killswitch(as: bot, groups: botGroups, ["trip", "--reason", "runaway seen by the bot", "--venue", "htx"])
        #expect(trip.status == 0, "\(trip.stderr)")
        let incident = try #require(await world.fixture.daemon.engine.latchedIncidents.first?.id)
        #expect(trip.stdout == "tripped venue=htx: incident \(incident) (by \(bot.name))\n")
        _ = await world.fixture.daemon.engine.waitForIncident(incident)

        // Lifting it is not a bot's decision, whatever name it types; the refusal names the group.
        let refusal = "requires membership of group '\(world.operatorGroup.name)'"
        let rearm = try await world.killswitch(as: bot, groups: botGroups,
                                               ["rearm", "--operator", "mallory", "--reason", "let me trade", "--incident", "\(incident)", "--force"])
        #expect(rearm.status == 1)
        #expect(rearm.stderr == "killswitch: POST /v1/rearm: \(refusal) (caller: \(bot.name), uid \(bot.uid))\n")
        let retry = try await world.killswitch(as: bot, groups: botGroups, ["retry", "--incident", "\(incident)"])
        #expect(retry.status == 1)
        #expect(retry.stderr.contains("POST /v1/incidents/\(incident)/retry: \(refusal)"), "\(retry.stderr)")
        #expect(try await world.fixture.daemon.store.incident(id: incident)?.isLatched == true)

        // An operator may.
        let retried = try await world.killswitch(as: op, groups: operatorGroups, ["retry", "--incident", "\(incident)"])
        #expect(retried.status == 0, "\(retried.stderr)")
        _ = await world.fixture.daemon.engine.waitForIncident(incident)
        let rearmed = try await world.killswitch(as: op, groups: operatorGroups,
                                                 ["rearm", "--operator", "mallory", "--reason", "drill over", "--incident", "\(incident)", "--force"])
        #expect(rearmed.status == 0, "\(rearmed.stderr)")
        #expect(rearmed.stdout == "re-armed incident \(incident) (forced)\n")

        // The audit, as `killswitch audit incident N` shows it: real users and uids, the typed name only as a note.
        let audit = try await ControlCLITests.killswitch(["audit", "incident", "\(incident)", "--format", "json",
                                                          "--db", world.fixture.harness.configuration.database])
        #expect(audit.status == 0, "\(audit.stderr)")
        let timeline = try JSONDecoder().decode(IncidentTimeline.self, from: Data(audit.stdout.utf8))
        let rows = timeline.auditEvents.filter { ["trip", "incident-retry", "rearm-forced"].contains($0.kind) }
        #expect(rows.map(\.kind) == ["trip", "incident-retry", "rearm-forced"])
        #expect(rows.map(\.actor) == [bot.name, op.name, op.name])
        #expect(rows.map(\.actorUid) == [bot.uid, op.uid, op.uid])
        #expect(rows.map(\.actorNote) == [nil, nil, "mallory"])
        #expect(timeline.trigger.actor == bot.name)
        let table = try await ControlCLITests.killswitch(["audit", "incident", "\(incident)", "--db", world.fixture.harness.configuration.database])
        let rearmLine = try #require(table.stdout.split(separator: "\n").first { $0.contains("rearm-forced") })
        #expect(rearmLine.contains(op.name) && rearmLine.contains(String(op.uid)) && rearmLine.contains("mallory"))

        // The bot's heartbeat is recorded under its identity too.
        let db = try SQLiteConnection(path: world.fixture.harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarText("SELECT last_caller FROM heartbeats WHERE source = 'bot-7'") == bot.name)
        #expect(try db.scalarInt("SELECT last_caller_uid FROM heartbeats WHERE source = 'bot-7'") == Int64(bot.uid))
    }

    /// Membership is what the kernel reports for the calling process (SO_PEERGROUPS), not what /etc/group
    /// lists: an operator whose process does not hold the operator group is refused, and a process that
    /// holds it is an operator's even if /etc/group does not list its user.
    @Test func theCallersGroupsAreTheKernels() async throws {
        try await World.with { world in try await theCallersGroupsAreTheKernels(world) }
    }

    func theCallersGroupsAreTheKernels(_ world: World) async throws {
        _ = try await world.fixture.daemon.engine.trip(scope: Scope(venue: "gate-spot"), reason: "drill", actor: "tests")
        let incident = try #require(await world.fixture.daemon.engine.latchedIncidents.first?.id)
        _ = await world.fixture.daemon.engine.waitForIncident(incident)
        let rearm = ["rearm", "--reason", "drill over", "--incident", "\(incident)", "--force"]

        let withoutGroup = try await world.killswitch(as: world.operatorUser, groups: [world.socketGroup], rearm)
        #expect(withoutGroup.status == 1)
        #expect(withoutGroup.stderr.contains("requires membership of group '\(world.operatorGroup.name)'"), "\(withoutGroup.stderr)")

        let holdingIt = try await world.killswitch(as: world.bot, groups: [world.socketGroup, world.operatorGroup], rearm)
        #expect(holdingIt.status == 0, "\(holdingIt.stderr)")
        let record = try #require(try await world.fixture.daemon.store.incident(id: incident))
        #expect(record.rearmedBy == world.bot.name)
    }
}
}
