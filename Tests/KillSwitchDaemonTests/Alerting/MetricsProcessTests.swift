import AsyncHTTPClient
import Foundation
import Testing

/// The real `killswitch run` serving `[metrics] listen`, scraped from outside as Prometheus would, with the
/// build it was made from in `killswitch_build_info`.
extension EngineIntegration {
@Suite(.serialized, .timeLimit(.minutes(2))) struct MetricsProcessTests {
    @Test func theRunningBinaryServesItsBuildAndState() async throws {
        let harness = try await EngineHarness.start()
        defer { Task { await harness.shutdown() } }
        let config = try CrashResumeTests.writeConfig(harness)
        try (String(contentsOfFile: config, encoding: .utf8) + "\n[metrics]\nlisten = \"127.0.0.1:0\"\n").write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(config: config)
        defer { daemon.stop() }
        #expect(await daemon.waitForLog("metrics listening"), "log: \(daemon.output)")
        let line = try #require(daemon.output.split(separator: "\n").first { $0.contains("metrics listening") })
        let port = try #require(line.firstMatch(of: /address=127\.0\.0\.1:(\d+)/).map { Int($0.1)! })

        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
        #expect(response.status.code == 200)
        var body = try await response.body.collect(upTo: 16 << 20)
        let scrape = PrometheusText(body.readString(length: body.readableBytes) ?? "")
        #expect(scrape.value("killswitch_tripped_scopes") == 0)

        // The same version and commit `killswitch --version` prints (both embedded at build time).
        let version = try await EngineIntegration.ControlCLITests.killswitch(["--version"]).stdout
        let build = try #require(scrape.all("killswitch_build_info").first)
        #expect(scrape.all("killswitch_build_info").count == 1)
        #expect(build.value == 1)
        let versionFile = try String(contentsOf: AlertingFiles.root.appendingPathComponent("VERSION"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(build.labels["version"] == versionFile)
        #expect(version.contains("killswitch \(build.labels["version"] ?? "?") (commit \(build.labels["commit"] ?? "?"))"), "\(version) vs \(build.labels)")

        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
    }
}
}
