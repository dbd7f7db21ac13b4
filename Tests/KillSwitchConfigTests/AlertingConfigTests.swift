import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchConfig

/// `[metrics]` and the `[[notify]]` keys for formats, signatures and timeouts.
@Suite struct AlertingConfigTests {
    func issues(_ text: String) -> [String] {
        do {
            _ = try ConfigParser.parse(text, file: "test.toml")
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func metricsListenIsHostAndPort() throws {
        #expect(try ConfigParser.parse("").metrics.listen == nil, "no key, no listener")
        #expect(try ConfigParser.parse("[metrics]\nlisten = \"127.0.0.1:9464\"").metrics.listen == MetricsListenAddress(host: "127.0.0.1", port: 9464))
        #expect(try ConfigParser.parse("[metrics]\nlisten = \"[::1]:9464\"").metrics.listen == MetricsListenAddress(host: "::1", port: 9464))
        #expect(MetricsListenAddress(host: "::1", port: 9464).description == "[::1]:9464")
        for bad in ["9464", "127.0.0.1", "127.0.0.1:99999", ":9464", "host:port"] {
            #expect(issues("[metrics]\nlisten = \"\(bad)\"") == ["metrics.listen: \"\(bad)\" is not HOST:PORT (e.g. \"127.0.0.1:9464\", \"[::1]:9464\")"], "\(bad)")
        }
        #expect(issues("[metrics]\nlisten = \"127.0.0.1:9464\"\nport = 1").first?.hasPrefix("metrics.port: unknown key") == true)
    }

    @Test func notifyFormatsSecretsAndTimeouts() throws {
        let config = try ConfigParser.parse("""
            [[notify]]
            url = "https://hooks.example.com/k"

            [[notify]]
            url = "https://hooks.slack.com/services/T/B/X"
            format = "slack"
            secret_env = "SLACK_SIGNING"
            timeout = "3s"

            [[notify]]
            format = "pagerduty"
            routing_key_env = "PD_KEY"
            events = ["trip", "incident-end", "rearm"]
            """)
        #expect(config.notify[0] == NotifyTarget(url: "https://hooks.example.com/k"))
        #expect(config.notify[0].format == .generic && config.notify[0].timeout == .seconds(10) && config.notify[0].secretEnv == nil)
        #expect(config.notify[1].format == .slack && config.notify[1].secretEnv == "SLACK_SIGNING" && config.notify[1].timeout == .seconds(3))
        #expect(config.notify[2].format == .pagerduty && config.notify[2].routingKeyEnv == "PD_KEY")
        #expect(config.notify[2].url == "https://events.pagerduty.com/v2/enqueue", "PagerDuty's URL may be left out")
        #expect(config.notify[2].events == ["trip", "incident-end", "rearm"])
    }

    @Test func notifyMistakesAreNamedWithTheirKeys() {
        #expect(issues("[[notify]]\nurl = \"https://h.example\"\nformat = \"teams\"") == [
            "notify[0].format: unknown format \"teams\"; expected one of generic, slack, discord, pagerduty",
        ])
        #expect(issues("[[notify]]\nformat = \"pagerduty\"") == [
            "notify[0].routing_key_env: required for format = \"pagerduty\": the environment variable holding the Events v2 integration key",
        ])
        #expect(issues("[[notify]]\nurl = \"https://h.example\"\nrouting_key_env = \"K\"") == ["notify[0].routing_key_env: only for format = \"pagerduty\""])
        #expect(issues("[[notify]]\nurl = \"https://h.example\"\ntimeout = \"5m\"") == ["notify[0].timeout: 5m is out of range; expected more than 0 and at most 2m"])
        #expect(issues("[[notify]]\nformat = \"slack\"").first?.hasPrefix("notify[0].url:") == true, "only PagerDuty's URL has a default")
    }

    @Test func anUnsetWebhookVariableStopsResolveNamingItsKeyAndNeverItsValue() throws {
        let config = try ConfigParser.parse("""
            [[notify]]
            url = "https://h.example/a"
            secret_env = "HOOK_SECRET"

            [[notify]]
            format = "pagerduty"
            routing_key_env = "PD_KEY"
            """)
        do {
            _ = try ConfigLoader.resolve(config, environment: ["HOOK_SECRET": ""])
            Issue.record("resolve accepted unset webhook variables")
        } catch {
            #expect(error.issues.map(\.description) == [
                "notify[0].secret_env: environment variable HOOK_SECRET is not set",
                "notify[1].routing_key_env: environment variable PD_KEY is not set",
            ])
        }
        _ = try ConfigLoader.resolve(config, environment: ["HOOK_SECRET": "s", "PD_KEY": "k"])
    }
}
