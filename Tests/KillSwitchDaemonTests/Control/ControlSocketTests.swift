#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchStore
@testable import KillSwitchDaemon

/// The socket's permissions, safe replacement of a stale socket, refusal when a daemon is live or the path
/// is not a socket, and the bearer token on loopback TCP.
extension EngineIntegration {
@Suite(.serialized) struct ControlSocketTests {
    /// A group the socket can be given that differs from the process's own group when possible (root: any
    /// group; others: a supplementary group), so the test sees the chown and not just the default group.
    static func otherGroup() -> (name: String, gid: gid_t) {
        var candidates: [gid_t] = []
        if getuid() == 0 {
            candidates = [1, 2, 3, 4]
        } else {
            var groups = [gid_t](repeating: 0, count: 64)
            let count = getgroups(Int32(groups.count), &groups)
            candidates = Array(groups.prefix(Int(max(count, 0))))
        }
        for gid in candidates where gid != getgid() {
            if let entry = getgrgid(gid) { return (String(cString: entry.pointee.gr_name), gid) }
        }
        return (String(cString: getgrgid(getgid())!.pointee.gr_name), getgid())
    }

    @Test func socketIsMode0660AndGivenItsGroup() async throws {
        let group = Self.otherGroup()
        let fixture = try await ControlFixture.start(control: ControlSettings(socketGroup: group.name))
        defer { Task { await fixture.stop() } }
        var info = stat()
        #expect(lstat(fixture.socket, &info) == 0)
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(info.st_gid == group.gid)
        #expect(try await fixture.get("/v1/status").status == 200)
    }

    @Test func missingGroupKeepsTheDefaultGroupAndStillStarts() async throws {
        let fixture = try await ControlFixture.start(control: ControlSettings(socketGroup: "no-such-group-ks"))
        defer { Task { await fixture.stop() } }
        var info = stat()
        #expect(lstat(fixture.socket, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(info.st_gid == getgid())
        #expect(try await fixture.get("/v1/status").status == 200)
    }

    @Test func missingSocketFolderIsCreated() async throws {
        let harness = try await EngineHarness.start()
        var configuration = harness.configuration
        configuration.socket = harness.directory + "/run/ks/control.sock"
        let daemon = try await Daemon(configuration: configuration, credentials: harness.credentials, logger: ControlFixture.quietLogger)
        let (server, _) = try await ControlFixture.startServer(daemon)
        #expect(ControlSocketFile.probe(path: configuration.socket) == .answered)
        await server.stop()
        // The socket file goes with the server.
        #expect(!FileManager.default.fileExists(atPath: configuration.socket))
        try? await daemon.shutdown()
        await harness.shutdown()
    }

    /// A socket file left by a crashed run (bound, never unlinked, nobody listening) is replaced.
    @Test func staleSocketFromACrashedRunIsReplaced() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let path = harness.configuration.socket
        try Self.leaveStaleSocket(at: path)
        #expect(ControlSocketFile.probe(path: path) == .refused)
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        let (server, _) = try await ControlFixture.startServer(daemon)
        #expect(ControlSocketFile.probe(path: path) == .answered)
        await server.stop()
    }

    @Test func liveDaemonOnTheSocketRefusesASecondServer() async throws {
        let fixture = try await ControlFixture.start()
        defer { Task { await fixture.stop() } }
        let second = ControlServer(daemon: fixture.daemon)
        await #expect(throws: ControlSocketFile.Failure.daemonAlreadyListening(path: fixture.socket)) { try await second.run() }
        // The first one is untouched and still answers.
        #expect(try await fixture.get("/v1/status").status == 200)
    }

    @Test func regularFileAtTheSocketPathIsNeverDeleted() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let path = harness.configuration.socket
        try "precious".write(toFile: path, atomically: true, encoding: .utf8)
        let daemon = try await harness.makeDaemon()
        defer { Task { try? await daemon.shutdown() } }
        await #expect(throws: ControlSocketFile.Failure.notASocket(path: path)) { try await ControlServer(daemon: daemon).run() }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
    }

    @Test func tcpNeedsTheBearerToken() async throws {
        let token = "tok-" + UUID().uuidString
        let fixture = try await ControlFixture.start(control: ControlSettings(tcpPort: 0, tokenEnv: "KS_CONTROL_TOKEN"),
                                                     environment: ["KS_CONTROL_TOKEN": token])
        defer { Task { await fixture.stop() } }
        #expect(fixture.tcpPort != nil && fixture.tcpPort != 0)
        let without = try await fixture.get("/v1/status", tcp: true)
        #expect(without.status == 401)
        #expect(without.header("www-authenticate") == "Bearer")
        #expect(without.error == "Authorization: missing or wrong bearer token (expected: Bearer <token>)")
        #expect(!without.text.contains(token))
        let wrong = try await fixture.get("/v1/status", tcp: true, headers: ["Authorization": "Bearer " + token.dropLast() + "x"])
        #expect(wrong.status == 401)
        let prefix = try await fixture.get("/v1/status", tcp: true, headers: ["Authorization": "Bearer " + token.dropLast()])
        #expect(prefix.status == 401)
        let right = try await fixture.get("/v1/status", tcp: true, headers: ["Authorization": "Bearer " + token])
        #expect(right.status == 200)
        #expect(try right.decode(StatusReport.self).armed)
        // Unknown routes are not revealed without the token.
        #expect(try await fixture.get("/v1/nothing", tcp: true).status == 401)
        // Trips over TCP are by the token's name; on the socket no token is needed.
        let trip = try await fixture.post("/v1/trip", json: #"{"reason": "tcp test", "scope": {"venue": "htx"}}"#, tcp: true,
                                          headers: ["Authorization": "Bearer " + token])
        #expect(try trip.decode(TripAnswer.self).actor == "tcp-bot")
        #expect(try await fixture.get("/v1/status").status == 200)
    }

    @Test func tcpWithoutATokenRefusesToStart() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        var configuration = harness.configuration
        configuration.control = ControlSettings(tcpPort: 0, tokenEnv: "KS_CONTROL_TOKEN_UNSET")
        let daemon = try await Daemon(configuration: configuration, credentials: harness.credentials, options: Daemon.Options(environment: [:]), logger: ControlFixture.quietLogger)
        defer { Task { try? await daemon.shutdown() } }
        await #expect(throws: ControlServer.StartError.missingToken(variable: "KS_CONTROL_TOKEN_UNSET")) { try await ControlServer(daemon: daemon).run() }
        #expect(!FileManager.default.fileExists(atPath: configuration.socket))
    }

    @Test func tokenComparisonChecksEveryByte() {
        let token = Array("secret-token".utf8)
        #expect(BearerTokenMiddleware.matches(token, token))
        #expect(!BearerTokenMiddleware.matches(Array("secret-tokeN".utf8), token))
        #expect(!BearerTokenMiddleware.matches(Array("secret-token-and-more".utf8), token))
        #expect(!BearerTokenMiddleware.matches(Array("secret".utf8), token))
        #expect(!BearerTokenMiddleware.matches([], token))
        // A length difference of exactly 256 must not wrap to "equal length" (the hand-written compare's bug).
        #expect(!BearerTokenMiddleware.matches(token + [UInt8](repeating: 0, count: 256), token))
        // Among several tokens, the one whose value was given, and none for anything else.
        let tokens = [BearerTokenMiddleware.Token(name: "tcp-bot", role: .bot, value: "bot-secret"),
                      BearerTokenMiddleware.Token(name: "tcp-operator", role: .operator, value: "operator-secret")]
        #expect(BearerTokenMiddleware.match(Array("operator-secret".utf8), among: tokens)?.name == "tcp-operator")
        #expect(BearerTokenMiddleware.match(Array("bot-secret".utf8), among: tokens)?.role == .bot)
        #expect(BearerTokenMiddleware.match(Array("bot-secre".utf8), among: tokens) == nil)
        #expect(BearerTokenMiddleware.match([], among: tokens) == nil)
    }

    /// Over TCP the token is the identity: the bots' token may trip and read but not re-arm or retry; the
    /// operators' token may; the audit records the token's name with the body's name as a note.
    @Test func tcpOperatorTokenAloneMayRearm() async throws {
        let bot = "bot-" + UUID().uuidString, op = "op-" + UUID().uuidString
        let fixture = try await ControlFixture.start(control: ControlSettings(tcpPort: 0, tokenEnv: "KS_BOT", operatorTokenEnv: "KS_OP"),
                                                     environment: ["KS_BOT": bot, "KS_OP": op])
        defer { Task { await fixture.stop() } }
        let trip = try await fixture.post("/v1/trip", json: #"{"reason": "tcp drill", "actor": "desk-7", "scope": {"venue": "htx"}}"#, tcp: true,
                                          headers: ["Authorization": "Bearer " + bot])
        #expect(trip.status == 200)
        let incident = try trip.decode(TripAnswer.self).incident
        #expect(try await fixture.get("/v1/status", tcp: true, headers: ["Authorization": "Bearer " + bot]).status == 200)

        let rearmBody = #"{"operator": "mallory", "reason": "let me trade", "incident": \#(incident), "force": true}"#
        let refused = try await fixture.post("/v1/rearm", json: rearmBody, tcp: true, headers: ["Authorization": "Bearer " + bot])
        #expect(refused.status == 403)
        #expect(refused.error == "POST /v1/rearm: requires the operator token (control.operator_token_env); this request carried the tcp-bot token")
        let retry = try await fixture.post("/v1/incidents/\(incident)/retry", json: "", tcp: true, headers: ["Authorization": "Bearer " + bot])
        #expect(retry.status == 403)
        #expect(try await fixture.daemon.store.incident(id: incident)?.isLatched == true)

        let allowed = try await fixture.post("/v1/rearm", json: rearmBody, tcp: true, headers: ["Authorization": "Bearer " + op])
        #expect(allowed.status == 200, "\(allowed.text)")
        let record = try #require(try await fixture.daemon.store.incident(id: incident))
        #expect(record.actor == "tcp-bot" && record.rearmedBy == "tcp-operator")
        let timeline = try StoreReader(path: fixture.harness.configuration.database).auditTimeline(incident: incident)
        let trips = timeline.auditEvents.filter { $0.kind == "trip" }, rearms = timeline.auditEvents.filter { $0.kind == "rearm-forced" }
        #expect(trips.map(\.actor) == ["tcp-bot"] && trips.map(\.actorNote) == ["desk-7"] && trips.map(\.actorUid) == [nil])
        #expect(rearms.map(\.actor) == ["tcp-operator"] && rearms.map(\.actorNote) == ["mallory"] && rearms.map(\.actorUid) == [nil])
    }

    @Test func operatorTokenProblemsRefuseToStart() async throws {
        var settings = ControlSettings(tcpPort: 0, tokenEnv: "KS_BOT", operatorTokenEnv: "KS_OP")
        #expect(throws: ControlServer.StartError.missingOperatorToken(variable: "KS_OP")) {
            try ControlServer.bearerTokens(settings, environment: ["KS_BOT": "a"])
        }
        #expect(throws: ControlServer.StartError.operatorTokenIsTheBotToken) {
            try ControlServer.bearerTokens(settings, environment: ["KS_BOT": "same", "KS_OP": "same"])
        }
        #expect(try ControlServer.bearerTokens(settings, environment: ["KS_BOT": "a", "KS_OP": "b"]).map(\.name) == ["tcp-bot", "tcp-operator"])
        settings.operatorTokenEnv = nil
        #expect(try ControlServer.bearerTokens(settings, environment: ["KS_BOT": "a"]).map(\.role) == [.bot])
    }

    /// Binds a Unix socket at `path` and closes it without unlinking: what a killed daemon leaves behind.
    static func leaveStaleSocket(at path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        close(fd)
    }
}
}
