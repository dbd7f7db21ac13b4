#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
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
        #expect(without.error == "missing or wrong bearer token (Authorization: Bearer <token>)")
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
        // Trips over TCP are by "api"; on the socket no token is needed.
        let trip = try await fixture.post("/v1/trip", json: #"{"reason": "tcp test", "scope": {"venue": "htx"}}"#, tcp: true,
                                          headers: ["Authorization": "Bearer " + token])
        #expect(try trip.decode(TripAnswer.self).actor == "api")
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
        #expect(BearerTokenMiddleware.constantTimeEqual(token, token))
        #expect(!BearerTokenMiddleware.constantTimeEqual(Array("secret-tokeN".utf8), token))
        #expect(!BearerTokenMiddleware.constantTimeEqual(Array("secret-token-and-more".utf8), token))
        #expect(!BearerTokenMiddleware.constantTimeEqual(Array("secret".utf8), token))
        #expect(!BearerTokenMiddleware.constantTimeEqual([], token))
        // A length difference of exactly 256 must not wrap to "equal length".
        #expect(!BearerTokenMiddleware.constantTimeEqual(token + [UInt8](repeating: 0, count: 256), token))
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
