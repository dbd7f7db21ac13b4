import Foundation
import KillSwitchCore
import TOMLKit

/// Parses and validates `killswitch.toml` text, collecting every problem with its key path.
public enum ConfigParser {
    public static func parse(_ text: String, file: String = "config") throws(ConfigErrors) -> KillSwitchConfiguration {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigErrors(file: file, issues: [ConfigIssue(path: "", message: "TOML syntax error at line \(error.source.begin.line), column \(error.source.begin.column): \(error.description)")])
        } catch {
            throw ConfigErrors(file: file, issues: [ConfigIssue(path: "", message: "cannot parse TOML: \(error)")])
        }
        guard case .table(let entries) = ConfigNode(table) else {
            throw ConfigErrors(file: file, issues: [ConfigIssue(path: "", message: "the document is not a table")])
        }
        let sink = IssueSink()
        let root = TableReader(path: "", entries: entries, sink: sink)
        var config = KillSwitchConfiguration(sourcePath: file)
        if let database = root.string("database") { config.database = database }
        if let socket = root.string("socket") { config.socket = socket }
        let defaultSecretsFile = root.string("secrets_file")
        if let file = defaultSecretsFile { checkExpansion(root, "secrets_file", file) }
        if let store = root.table("store") { config.store = parseStore(store) }
        if let day = root.table("trading_day") { config.tradingDay = parseTradingDay(day) }
        if let engine = root.table("engine") { config.engine = parseEngine(engine) }
        if let control = root.table("control") { config.control = parseControl(control) }
        if let maintenance = root.table("maintenance") { config.maintenance = parseMaintenance(maintenance) }
        if let metrics = root.table("metrics") { config.metrics = parseMetrics(metrics) }
        if let pnl = root.table("pnl") { config.pnl = parsePnL(pnl) }
        config.venues = root.tables("venues").compactMap { parseVenue($0, defaultSecretsFile: defaultSecretsFile) }
        var seen: [String: Int] = [:]
        for (index, venue) in config.venues.enumerated() {
            if let first = seen[venue.descriptor.id] {
                sink.add(ConfigIssue(path: "venues[\(index)].id", message: "duplicate venue id \"\(venue.descriptor.id)\" (also venues[\(first)])"))
            } else {
                seen[venue.descriptor.id] = index
            }
        }
        config.rules = root.tables("rules").compactMap { parseRule($0, venues: config.venues) }
        var ruleIds: Set<String> = []
        for (index, rule) in config.rules.enumerated() where !ruleIds.insert(rule.id).inserted {
            sink.add(ConfigIssue(path: "rules[\(index)].id", message: "duplicate rule id \"\(rule.id)\""))
        }
        config.rules += countdownLossRules(config, ruleIds: ruleIds, sink: sink)
        config.notify = root.tables("notify").compactMap(parseNotify)
        root.finish()
        if !sink.issues.isEmpty { throw ConfigErrors(file: file, issues: sink.issues) }
        return config
    }

    /// `${VAR}` syntax in a path-valued key (the variables themselves are read when credentials are resolved).
    static func checkExpansion(_ t: TableReader, _ key: String, _ value: String) {
        do {
            try EnvironmentExpansion.validate(value)
        } catch {
            t.issue(key, error.description)
        }
    }

    static func parseStore(_ t: TableReader) -> StoreSettings {
        var settings = StoreSettings()
        if let mode = t.string("synchronous") {
            if StoreSettings.synchronousModes.contains(mode.lowercased()) {
                settings.synchronous = mode.lowercased()
            } else {
                t.issue("synchronous", "unknown mode \"\(mode)\"; expected one of \(StoreSettings.synchronousModes.joined(separator: ", "))")
            }
        }
        if let timeout = t.duration("busy_timeout") { settings.busyTimeout = timeout }
        if let path = t.string("journal") {
            if path.isEmpty { t.issue("journal", "must be a file path") } else { settings.journal = path }
        }
        if let text = t.string("journal_size") {
            if let bytes = ByteSize.parse(text), bytes >= 1 << 20 {
                settings.journalSize = bytes
            } else {
                t.issue("journal_size", "\"\(text)\" is not a size of at least 1MiB, such as \"64MiB\" or \"1GiB\"")
            }
        }
        t.finish()
        return settings
    }

    static func parseTradingDay(_ t: TableReader) -> TradingDay {
        var day = TradingDay()
        if let start = t.string("day_start") {
            let parts = start.split(separator: ":")
            if parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let h = Int(parts[0]), let m = Int(parts[1]), (0..<24).contains(h), (0..<60).contains(m) {
                day.startMinute = h * 60 + m
            } else {
                t.issue("day_start", "invalid time \"\(start)\"; expected HH:MM, e.g. \"00:00\"")
            }
        }
        if let zone = t.string("timezone") {
            if TimeZone(identifier: zone) != nil {
                day.timeZoneIdentifier = zone
            } else {
                t.issue("timezone", "unknown time zone \"\(zone)\"; expected an IANA name such as \"UTC\" or \"Europe/London\"")
            }
        }
        t.finish()
        return day
    }

    static func parseEngine(_ t: TableReader) -> EngineSettings {
        var engine = EngineSettings()
        if let v = t.duration("incident_deadline") { engine.incidentDeadline = v }
        if let v = t.duration("retry_initial") { engine.retryInitial = v }
        if let v = t.duration("retry_max") { engine.retryMax = v }
        switch t.node("safety_margin") {
        case nil: break
        case .double(let v)? where v >= 0 && v < 1: engine.safetyMargin = v
        case .integer(0)?: engine.safetyMargin = 0
        case let other?: t.issue("safety_margin", "expected a fraction in 0 ..< 1 (e.g. 0.1 holds back 10%), got \(describe(other))")
        }
        if let v = t.integer("escalate_after", range: 1...100) { engine.escalateAfter = v }
        if let v = t.duration("keep_trying_initial") { engine.keepTryingInitial = v }
        if let v = t.duration("keep_trying_max") { engine.keepTryingMax = v }
        if let v = t.duration("latched_sweep_every") { engine.latchedSweepEvery = v }
        if let v = t.duration("rate_limit_jitter") { engine.rateLimitJitter = v }
        if let text = t.string("mode") {
            if let mode = EngineMode(rawValue: text) { engine.mode = mode } else {
                t.issue("mode", "\"\(text)\" must be \"live\" or \"shadow\"")
            }
        }
        if let v = t.integer("dms_failures", range: 1...100) { engine.dmsFailures = v }
        if let v = parseStrategy(t) { engine.strategy = v }
        if engine.keepTryingMax < engine.keepTryingInitial {
            t.issue("keep_trying_max", "must be at least keep_trying_initial (\(DurationText.format(engine.keepTryingInitial)))")
        }
        t.finish()
        return engine
    }

    static func parseControl(_ t: TableReader) -> ControlSettings {
        var control = ControlSettings()
        if let v = t.string("socket_group") { control.socketGroup = v }
        if let v = t.string("operator_group") { control.operatorGroup = v }
        if control.operatorGroup == control.socketGroup {
            t.issue("operator_group", "\"\(control.operatorGroup)\" is also socket_group: every bot that can reach the socket could re-arm; name a group of people only")
        }
        control.tcpPort = t.integer("tcp_port", range: 1...65535)
        control.tokenEnv = t.string("token_env")
        control.operatorTokenEnv = t.string("operator_token_env")
        if control.tcpPort != nil && control.tokenEnv == nil {
            t.issue("token_env", "required when tcp_port is set: the TCP listener always requires a bearer token")
        }
        if let operatorVariable = control.operatorTokenEnv, operatorVariable == control.tokenEnv {
            t.issue("operator_token_env", "names the same variable as token_env: the operators' token must differ from the bots'")
        }
        if let v = t.integer("max_body_bytes", range: 1_024...(1 << 30)) { control.maxBodyBytes = v }
        t.finish()
        return control
    }

    static func parseMaintenance(_ t: TableReader) -> MaintenanceSettings {
        var settings = MaintenanceSettings()
        for (key, minimum) in [("keep_warm", Duration.seconds(1)), ("armed_check", Duration.seconds(10))] {
            guard let value = t.duration(key) else { continue }
            if value < minimum {
                t.issue(key, "\(DurationText.format(value)) is too often; at least \(DurationText.format(minimum)) (background calls share the cancels' rate limits)")
            } else if key == "keep_warm" {
                settings.keepWarm = value
            } else {
                settings.armedCheck = value
            }
        }
        t.finish()
        return settings
    }

    static func parseMetrics(_ t: TableReader) -> MetricsSettings {
        var settings = MetricsSettings()
        if let listen = t.string("listen") {
            if let address = MetricsListenAddress(parsing: listen) {
                settings.listen = address
            } else {
                t.issue("listen", "\"\(listen)\" is not HOST:PORT (e.g. \"127.0.0.1:9464\", \"[::1]:9464\")")
            }
        }
        t.finish()
        return settings
    }

    static func parseNotify(_ t: TableReader) -> NotifyTarget? {
        var format = WebhookFormat.generic
        if let name = t.string("format") {
            if let known = WebhookFormat(rawValue: name) {
                format = known
            } else {
                t.issue("format", "unknown format \"\(name)\"; expected one of \(WebhookFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        // PagerDuty has one endpoint: its URL may be left out.
        let url = format == .pagerduty ? t.string("url") ?? NotifyTarget.pagerDutyEventsURL : t.string("url", required: true)
        if let url, !(url.hasPrefix("http://") || url.hasPrefix("https://")) || URL(string: url)?.host == nil {
            t.issue("url", "not an http(s) URL with a host (\(Redaction.url(url)); the URL itself is not shown: it may carry a token)")
        }
        var target = NotifyTarget(url: url ?? "", format: format)
        if let events = t.stringArray("events") {
            for (i, event) in events.enumerated() where !NotifyTarget.eventNames.contains(event) {
                t.issue("events[\(i)]", "unknown event \"\(event)\"; expected one of \(NotifyTarget.eventNames.joined(separator: ", "))")
            }
            target.events = events
        }
        target.secretEnv = t.string("secret_env")
        target.routingKeyEnv = t.string("routing_key_env")
        if format == .pagerduty && target.routingKeyEnv == nil {
            t.issue("routing_key_env", "required for format = \"pagerduty\": the environment variable holding the Events v2 integration key")
        } else if format != .pagerduty && target.routingKeyEnv != nil {
            t.issue("routing_key_env", "only for format = \"pagerduty\"")
        }
        if let timeout = t.duration("timeout") {
            if timeout <= .zero || timeout > .seconds(120) {
                t.issue("timeout", "\(DurationText.format(timeout)) is out of range; expected more than 0 and at most 2m")
            } else {
                target.timeout = timeout
            }
        }
        t.finish()
        return url == nil ? nil : target
    }

    static func describe(_ node: ConfigNode) -> String {
        switch node {
        case .string(let s): "\"\(s)\""
        case .integer(let i): String(i)
        case .double(let d): String(d)
        default: node.typeName
        }
    }

    static let identifierCharacters = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-_."))

    static func checkIdentifier(_ t: TableReader, _ key: String, _ value: String?) {
        if let value, value.unicodeScalars.contains(where: { !identifierCharacters.contains($0) }) {
            t.issue(key, "\"\(value)\" may contain only letters, digits, '-', '_' and '.'")
        }
    }
}
