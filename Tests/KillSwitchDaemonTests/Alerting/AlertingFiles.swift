import Foundation

/// The shipped alerting files (etc/prometheus, etc/grafana, docs/alerting.md) as the tests read them, and
/// `promtool` when it is installed.
enum AlertingFiles {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var rulesPath: String { root.appendingPathComponent("etc/prometheus/killswitch.rules.yml").path }
    static var rulesTestPath: String { root.appendingPathComponent("etc/prometheus/killswitch.rules.test.yml").path }
    static var dashboardPath: String { root.appendingPathComponent("etc/grafana/killswitch.json").path }
    static var runbookPath: String { root.appendingPathComponent("docs/alerting.md").path }

    /// One `- alert:` entry of the rules file, read line by line (no YAML parser among the dependencies; the
    /// file keeps one key per line, and `promtool check rules` parses it for real where installed).
    struct Alert {
        var name: String
        var expr: String?
        var forDuration: String?
        var severity: String?
        var summary: String?
        var description: String?
        var runbookURL: String?
    }

    static func alerts() throws -> [Alert] {
        var alerts: [Alert] = []
        for line in try String(contentsOfFile: rulesPath, encoding: .utf8).split(separator: "\n").map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("#") { continue }
            if trimmed.hasPrefix("- alert:") {
                alerts.append(Alert(name: value(trimmed, after: "- alert:")))
                continue
            }
            guard !alerts.isEmpty else { continue }
            for (key, path) in [("expr:", \Alert.expr), ("for:", \Alert.forDuration), ("severity:", \Alert.severity), ("summary:", \Alert.summary),
                                ("description:", \Alert.description), ("runbook_url:", \Alert.runbookURL)] where trimmed.hasPrefix(key) {
                alerts[alerts.count - 1][keyPath: path] = value(trimmed, after: key)
            }
        }
        return alerts
    }

    private static func value(_ line: String, after key: String) -> String {
        var text = line.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("\"") && text.hasSuffix("\"") && text.count >= 2 { text = String(text.dropFirst().dropLast()) }
        return text
    }

    static func ruleExpressions() throws -> [String] { try alerts().compactMap(\.expr) }

    /// Every PromQL query in the dashboard: panel targets and template variables.
    static func dashboardExpressions() throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dashboardPath)))
        var out: [String] = []
        func walk(_ value: Any) {
            if let dictionary = value as? [String: Any] {
                for (key, child) in dictionary {
                    if (key == "expr" || key == "query" || key == "definition"), let text = child as? String { out.append(text) }
                    walk(child)
                }
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(object)
        return out
    }

    /// The metric names a set of PromQL expressions read: every `killswitch_…` identifier, and `up`.
    static func metricNames(inExpressions expressions: [String]) throws -> Set<String> {
        let killswitch = try NSRegularExpression(pattern: #"\bkillswitch_[a-zA-Z0-9_]+\b"#)
        let up = try NSRegularExpression(pattern: #"(^|[^a-zA-Z0-9_"])up\s*\{"#)
        var names: Set<String> = []
        for expression in expressions {
            let range = NSRange(expression.startIndex..., in: expression)
            for match in killswitch.matches(in: expression, range: range) {
                names.insert(String(expression[Range(match.range, in: expression)!]))
            }
            if up.firstMatch(in: expression, range: range) != nil { names.insert("up") }
        }
        return names
    }

    /// GitHub's anchor for a Markdown heading: lower case, spaces to dashes, punctuation dropped.
    static func anchors(inMarkdown text: String) -> Set<String> {
        Set(text.split(separator: "\n").filter { $0.hasPrefix("#") }.map { heading in
            let title = heading.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces).lowercased()
            return String(title.compactMap { $0 == " " ? "-" : ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : nil) })
        })
    }

    static let promtool: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool", "/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }

    struct ToolResult {
        var status: Int32
        var output: String
    }

    /// Runs promtool with `arguments` (and `stdin`, if any); its stdout and stderr together.
    static func runPromtool(_ arguments: [String], stdin: String? = nil) throws -> ToolResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: promtool!)
        process.arguments = arguments
        process.currentDirectoryURL = root
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        let input = Pipe()
        if stdin != nil { process.standardInput = input }
        try process.run()
        if let stdin {
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return ToolResult(status: process.terminationStatus, output: String(decoding: data, as: UTF8.self))
    }
}
