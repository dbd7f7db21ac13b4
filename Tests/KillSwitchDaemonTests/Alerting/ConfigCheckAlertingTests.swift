import Foundation
import Testing

/// `killswitch config check` on `[metrics]` and `[[notify]]`: the real binary, as an operator runs it.
@Suite struct ConfigCheckAlertingTests {
    static let config = """
        database = "/tmp/ks-unused.db"

        [metrics]
        listen = "127.0.0.1:9464"

        [[notify]]
        format = "slack"
        url = "https://hooks.slack.com/services/T000/B000/SLACKPATHSECRET"
        secret_env = "KS_TEST_HOOK_SECRET"
        timeout = "3s"

        [[notify]]
        format = "pagerduty"
        routing_key_env = "KS_TEST_PD_KEY"
        events = ["trip", "rearm"]
        """

    @Test func anUnsetWebhookVariableExits78NamingItsKeyAndASetOneIsSummarisedWithoutSecrets() async throws {
        let directory = NSTemporaryDirectory() + "ks-check-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/killswitch.toml"
        try Self.config.write(toFile: path, atomically: true, encoding: .utf8)

        let unset = try await EngineIntegration.ControlCLITests.killswitch(["config", "check", "--config", path], environment: ["KS_TEST_PD_KEY": "pd-key-value"])
        #expect(unset.status == 78, "stdout: \(unset.stdout)\nstderr: \(unset.stderr)")
        #expect(unset.stderr.contains("notify[0].secret_env: environment variable KS_TEST_HOOK_SECRET is not set"), "\(unset.stderr)")
        #expect(!unset.stderr.contains("notify[1]"), "the set variable is not reported")

        let set = try await EngineIntegration.ControlCLITests.killswitch(["config", "check", "--config", path],
                                                       environment: ["KS_TEST_HOOK_SECRET": "hook-secret-value", "KS_TEST_PD_KEY": "pd-key-value"])
        #expect(set.status == 0, "stdout: \(set.stdout)\nstderr: \(set.stderr)")
        #expect(set.stdout.contains("metrics: GET /metrics on http://127.0.0.1:9464"))
        #expect(set.stdout.contains("webhook slack https://hooks.slack.com/…: trip, incident-end, rearm, armed-check-failed, storage, dms-failed; signed with $KS_TEST_HOOK_SECRET, timeout 3s"), "\(set.stdout)")
        #expect(set.stdout.contains("webhook pagerduty https://events.pagerduty.com/…: trip, rearm; unsigned, timeout 10s"), "\(set.stdout)")
        for secret in ["SLACKPATHSECRET", "hook-secret-value", "pd-key-value"] {
            #expect(!(set.stdout + set.stderr).contains(secret), "\(secret) shown")
        }
    }
}
