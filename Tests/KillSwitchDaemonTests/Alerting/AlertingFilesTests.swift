import Foundation
import Testing

/// The shipped alert rules and dashboard, checked without a daemon: their structure, their runbook links,
/// and `promtool` where it is installed. (Whether the series they name exist is checked against a running
/// daemon in `MetricsScrapeTests`.)
@Suite struct AlertingFilesTests {
    static let requiredAlerts: Set<String> = [
        "KillSwitchDown", "KillSwitchTripped", "KillSwitchIncidentIncomplete", "KillSwitchArmedCheckFailing", "KillSwitchHeartbeatStale",
        "KillSwitchClockOffsetLarge", "KillSwitchStorageFailing",
    ]

    @Test func everyAlertHasAnExpressionASeverityAndARunbookParagraphThatExists() throws {
        let alerts = try AlertingFiles.alerts()
        #expect(Self.requiredAlerts.isSubset(of: Set(alerts.map(\.name))), "missing: \(Self.requiredAlerts.subtracting(alerts.map(\.name)))")
        #expect(Set(alerts.map(\.name)).count == alerts.count, "alert names are unique")
        let runbook = try String(contentsOfFile: AlertingFiles.runbookPath, encoding: .utf8)
        let anchors = AlertingFiles.anchors(inMarkdown: runbook)
        for alert in alerts {
            #expect(alert.expr?.isEmpty == false, "\(alert.name): expr")
            #expect(["critical", "warning"].contains(alert.severity ?? ""), "\(alert.name): severity \(alert.severity ?? "none")")
            #expect(alert.summary?.isEmpty == false && alert.description?.isEmpty == false, "\(alert.name): summary and description")
            let url = alert.runbookURL ?? ""
            #expect(url == "docs/alerting.md#\(alert.name.lowercased())", "\(alert.name): runbook_url \(url)")
            #expect(anchors.contains(alert.name.lowercased()), "docs/alerting.md has no paragraph headed \(alert.name)")
        }
        let down = try #require(alerts.first { $0.name == "KillSwitchDown" })
        #expect(down.expr?.contains("up{job=\"killswitch\"} == 0") == true)
    }

    @Test func theDashboardIsValidJSONWithUniquePanelsAndQueries() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: AlertingFiles.dashboardPath))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(dashboard["title"] as? String == "killswitch")
        #expect(dashboard["uid"] as? String == "killswitch")
        let panels = try #require(dashboard["panels"] as? [[String: Any]])
        let ids = panels.compactMap { $0["id"] as? Int }
        #expect(ids.count == panels.count && Set(ids).count == ids.count, "every panel has a unique id")
        for panel in panels {
            let title = panel["title"] as? String ?? "?"
            #expect(panel["gridPos"] as? [String: Any] != nil, "\(title): gridPos")
            guard panel["type"] as? String != "row" else { continue }
            let targets = panel["targets"] as? [[String: Any]] ?? []
            #expect(!targets.isEmpty, "\(title): no query")
            #expect(targets.allSatisfy { ($0["expr"] as? String)?.isEmpty == false }, "\(title): every target has an expr")
            #expect(Set(targets.compactMap { $0["refId"] as? String }).count == targets.count, "\(title): refIds unique")
        }
        // What the issue asks the dashboard to show.
        let expressions = try AlertingFiles.dashboardExpressions().joined(separator: "\n")
        for needed in ["killswitch_tripped_scopes", "killswitch_incidents", "killswitch_cancel_outcomes_total", "killswitch_venue_request_duration_seconds_bucket",
                       "killswitch_rate_limit_tokens"] {
            #expect(expressions.contains(needed), "the dashboard shows \(needed)")
        }
    }

    @Test func metricNamesAreReadFromExpressions() throws {
        let names = try AlertingFiles.metricNames(inExpressions: [
            #"up{job="killswitch"} == 0 or absent(up{job="killswitch"})"#,
            #"sum by (venue) (rate(killswitch_cancel_outcomes_total{kind="cancelled"}[5m])) / killswitch_rate_limit_tokens"#,
            "label_values(killswitch_build_info, instance)",
            "backup{x=\"1\"}",
        ])
        #expect(names == ["up", "killswitch_cancel_outcomes_total", "killswitch_rate_limit_tokens", "killswitch_build_info"])
    }

    @Test(.enabled(if: AlertingFiles.promtool != nil, "promtool is not installed (Debian: the prometheus package); the structural checks above still run"))
    func promtoolChecksAndUnitTestsTheRules() throws {
        let check = try AlertingFiles.runPromtool(["check", "rules", AlertingFiles.rulesPath])
        #expect(check.status == 0, "promtool check rules:\n\(check.output)")
        let test = try AlertingFiles.runPromtool(["test", "rules", AlertingFiles.rulesTestPath])
        #expect(test.status == 0, "promtool test rules:\n\(test.output)")
    }
}
