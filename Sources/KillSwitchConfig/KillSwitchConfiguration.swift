import KillSwitchCore

/// The validated configuration (`killswitch.toml`). Every key is documented in `etc/killswitch.example.toml`.
public struct KillSwitchConfiguration: Sendable {
    public static let defaultPath = "/etc/killswitch/killswitch.toml"
    public static let defaultDatabase = "/var/lib/killswitch/killswitch.db"
    public static let defaultSocket = "/run/killswitch/control.sock"

    public var database: String
    public var socket: String
    public var store: StoreSettings
    public var tradingDay: TradingDay
    public var engine: EngineSettings
    public var control: ControlSettings
    public var maintenance: MaintenanceSettings
    public var venues: [VenueConfiguration]
    public var rules: [RuleDefinition]
    public var notify: [NotifyTarget]
    /// `[metrics]`: the metrics-only HTTP listener (none unless `listen` is set).
    public var metrics: MetricsSettings
    /// `[pnl]`: how PnL marks are taken (the accepted clock skew).
    public var pnl: PnLSettings
    /// Where the file was read from (secrets-file paths are relative to its folder).
    public var sourcePath: String?

    public var venueDescriptors: [VenueDescriptor] { venues.map(\.descriptor) }

    public init(database: String = defaultDatabase, socket: String = defaultSocket, store: StoreSettings = .init(), tradingDay: TradingDay = .init(), engine: EngineSettings = .init(), control: ControlSettings = .init(), maintenance: MaintenanceSettings = .init(), venues: [VenueConfiguration] = [], rules: [RuleDefinition] = [], notify: [NotifyTarget] = [], metrics: MetricsSettings = .init(), pnl: PnLSettings = .init(), sourcePath: String? = nil) {
        self.database = database
        self.socket = socket
        self.store = store
        self.tradingDay = tradingDay
        self.engine = engine
        self.control = control
        self.maintenance = maintenance
        self.venues = venues
        self.rules = rules
        self.notify = notify
        self.metrics = metrics
        self.pnl = pnl
        self.sourcePath = sourcePath
    }
}

/// `[store]`.
public struct StoreSettings: Sendable, Hashable {
    /// `off`, `normal` (default), `full` or `extra`: SQLite's `synchronous` in WAL mode.
    public var synchronous: String
    public var busyTimeout: Duration
    /// The journal the store falls back to while the database cannot write (nil: beside the database,
    /// `<database>.journal`).
    public var journal: String?
    /// Bytes allocated to the journal at start (really allocated, so it cannot run out when the disk does).
    public var journalSize: Int

    public static let synchronousModes = ["off", "normal", "full", "extra"]
    public static let defaultJournalSize = 64 << 20

    public init(synchronous: String = "normal", busyTimeout: Duration = .seconds(5), journal: String? = nil, journalSize: Int = defaultJournalSize) {
        self.synchronous = synchronous
        self.busyTimeout = busyTimeout
        self.journal = journal
        self.journalSize = journalSize
    }
}

/// `[engine] mode`: `live` cancels; `shadow` does everything but cancel (for the first weeks of a deployment).
public enum EngineMode: String, Sendable, Hashable, CaseIterable {
    case live
    case shadow
}

/// `[engine]`: how an incident drives its cancels.
public struct EngineSettings: Sendable, Hashable {
    /// `shadow`: rules, latches, plans and the audit as usual, but nothing that cancels leaves — the daemon is
    /// unprotected, and says so.
    public var mode: EngineMode = .live
    /// How long an incident keeps retrying before it ends `incomplete`.
    public var incidentDeadline: Duration
    /// First retry delay; doubles per attempt up to `retryMax`, with jitter.
    public var retryInitial: Duration
    public var retryMax: Duration
    /// Fraction of each venue's published rate limit held back (0 against the simulator).
    public var safetyMargin: Double
    /// Failed batch attempts on one symbol before escalating to the venue's cancel-all for that symbol.
    public var escalateAfter: Int
    /// After an incident ends `incomplete`, the first delay before it is tried again (re-listed and
    /// re-cancelled); doubles per attempt up to `keepTryingMax`, for as long as the scope stays latched.
    public var keepTryingInitial: Duration
    public var keepTryingMax: Duration
    /// How often each venue account in a latched scope that ended `flat` is listed again (anything open in
    /// scope is cancelled on sight).
    public var latchedSweepEvery: Duration
    /// Added to every venue window when spacing requests: network jitter bunches requests that left evenly,
    /// and venues count arrivals. At least the jitter between this host and the venues.
    public var rateLimitJitter: Duration
    /// Consecutive failed countdown refreshes (a venue's `dms`) that trip the venue (rule type `dms-lost`).
    public var dmsFailures: Int
    /// How a trip takes each venue entry's orders off (`[[venues]] strategy` overrides it per entry).
    public var strategy: CancelStrategy = .auto

    public init(incidentDeadline: Duration = .seconds(120), retryInitial: Duration = .milliseconds(100), retryMax: Duration = .seconds(5), safetyMargin: Double = 0.1,
                escalateAfter: Int = 3, keepTryingInitial: Duration = .seconds(5), keepTryingMax: Duration = .seconds(60), latchedSweepEvery: Duration = .seconds(10),
                rateLimitJitter: Duration = .milliseconds(10), dmsFailures: Int = 3) {
        self.dmsFailures = dmsFailures
        self.incidentDeadline = incidentDeadline
        self.retryInitial = retryInitial
        self.retryMax = retryMax
        self.safetyMargin = safetyMargin
        self.escalateAfter = escalateAfter
        self.keepTryingInitial = keepTryingInitial
        self.keepTryingMax = keepTryingMax
        self.latchedSweepEvery = latchedSweepEvery
        self.rateLimitJitter = rateLimitJitter
    }
}

/// `[control]`: the control API's listeners and who may do what on them.
public struct ControlSettings: Sendable, Hashable {
    /// Group owning the control socket (mode 0660). Its members (trading systems) may send order events,
    /// heartbeats and PnL, read the gate, status and metrics, and trip.
    public var socketGroup: String
    /// Members of this group may also re-arm (forced or not) and retry. They need `socketGroup` too, to reach
    /// the socket at all. Root and the daemon's own user are always operators.
    public var operatorGroup: String
    /// Optional loopback TCP port; requires a bearer token.
    public var tcpPort: Int?
    /// Environment variable holding the bots' bearer token for TCP (audited as `tcp-bot`).
    public var tokenEnv: String?
    /// Environment variable holding the operators' bearer token for TCP (audited as `tcp-operator`); without
    /// it nobody can re-arm or retry over TCP.
    public var operatorTokenEnv: String?
    public var maxBodyBytes: Int

    public init(socketGroup: String = "killswitch", operatorGroup: String = "killswitch-operators", tcpPort: Int? = nil, tokenEnv: String? = nil,
                operatorTokenEnv: String? = nil, maxBodyBytes: Int = 16 << 20) {
        self.socketGroup = socketGroup
        self.operatorGroup = operatorGroup
        self.tcpPort = tcpPort
        self.tokenEnv = tokenEnv
        self.operatorTokenEnv = operatorTokenEnv
        self.maxBodyBytes = maxBodyBytes
    }
}

/// `[maintenance]`: background traffic to each venue account between incidents. It draws from the same rate
/// limits as cancels at background priority and stops while an incident on the venue runs.
public struct MaintenanceSettings: Sendable, Hashable {
    /// How often to call the venue's time endpoint: keeps the connections warm and the clock offset fresh.
    public var keepWarm: Duration
    /// How often to repeat the signed armed check (credentials valid, can list and so cancel) and re-read
    /// Binance's published weight limit.
    public var armedCheck: Duration
    /// Whether the armed check ends with a cancel of an order that cannot exist (proving the key may cancel).
    /// Off in shadow mode, where nothing that cancels leaves.
    public var cancelProbe: Bool

    public init(keepWarm: Duration = .seconds(15), armedCheck: Duration = .seconds(180), cancelProbe: Bool = true) {
        self.keepWarm = keepWarm
        self.armedCheck = armedCheck
        self.cancelProbe = cancelProbe
    }
}

/// `[[notify]]`: a webhook told of trips, incident ends, re-arms and failed armed checks.
public struct NotifyTarget: Sendable, Hashable {
    public var url: String
    public var events: [String]
    /// The body's shape: killswitch's own JSON, or what Slack, Discord or PagerDuty take as is.
    public var format: WebhookFormat
    /// Environment variable holding the HMAC key that signs each request (`X-Killswitch-Signature`); nil:
    /// unsigned.
    public var secretEnv: String?
    /// PagerDuty only: environment variable holding the Events v2 integration (routing) key.
    public var routingKeyEnv: String?
    /// Per-attempt timeout of this webhook's requests.
    public var timeout: Duration

    public static let eventNames = ["trip", "incident-end", "rearm", "armed-check-failed", "storage", "dms-failed"]
    /// Where PagerDuty's Events API v2 takes events (EU accounts set `url` to events.eu.pagerduty.com).
    public static let pagerDutyEventsURL = "https://events.pagerduty.com/v2/enqueue"

    public init(url: String, events: [String] = NotifyTarget.eventNames, format: WebhookFormat = .generic, secretEnv: String? = nil,
                routingKeyEnv: String? = nil, timeout: Duration = .seconds(10)) {
        self.url = url
        self.events = events
        self.format = format
        self.secretEnv = secretEnv
        self.routingKeyEnv = routingKeyEnv
        self.timeout = timeout
    }
}

/// `[[notify]] format`.
public enum WebhookFormat: String, Sendable, Hashable, CaseIterable {
    /// killswitch's own JSON body (documented in etc/killswitch.example.toml and docs/alerting.md).
    case generic
    /// A Slack incoming webhook: `{"text": …}`.
    case slack
    /// A Discord webhook: `{"content": …}`.
    case discord
    /// PagerDuty Events API v2: trigger on trip and incomplete end, resolve on re-arm.
    case pagerduty
}

/// `[metrics]`: the metrics-only listener Prometheus scrapes (the control socket serves `/metrics` too, but
/// Prometheus cannot scrape a Unix socket).
public struct MetricsSettings: Sendable, Hashable {
    /// `listen = "HOST:PORT"`; nil: no listener.
    public var listen: MetricsListenAddress?

    public init(listen: MetricsListenAddress? = nil) {
        self.listen = listen
    }
}

/// A `HOST:PORT` to listen on (`[::1]:9464` for an IPv6 literal). Port 0 picks a free port (tests).
public struct MetricsListenAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `HOST:PORT`; nil when it is not one.
    public init?(parsing text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: { $0 == " " || $0 == "/" }) else { return nil }
        self.init(host: host, port: port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// `[[venues]]`: one venue account.
public struct VenueConfiguration: Sendable, Hashable {
    public var descriptor: VenueDescriptor
    /// nil only for a disabled venue (`enabled = false`), which needs none.
    public var credentials: CredentialSource?
    public var requestTimeout: Duration
    /// `dms`: the venue's countdown cancel-all, armed and refreshed by the daemon (nil: none).
    public var dms: CountdownSettings?

    /// The entry's cancel strategy: its own `strategy`, else `[engine] strategy`.
    public func strategy(engine: EngineSettings) -> CancelStrategy { descriptor.strategy ?? engine.strategy }

    public init(descriptor: VenueDescriptor, credentials: CredentialSource?, requestTimeout: Duration = .seconds(5), dms: CountdownSettings? = nil) {
        self.descriptor = descriptor
        self.dms = dms
        self.credentials = credentials
        self.requestTimeout = requestTimeout
    }
}

/// Where a venue's secrets come from: never the main config itself.
public enum CredentialSource: Sendable, Hashable {
    case environment(keyVariable: String, secretVariable: String, passphraseVariable: String?)
    /// A TOML file with one table per venue id: `[binance-main] key = "…", secret = "…", passphrase = "…"`.
    /// `path` may hold `${VAR}` (expanded when credentials are resolved); `key` is the config key it came
    /// from (`secrets_file` or `venues[N].credentials.secrets_file`), for errors.
    case secretsFile(path: String, key: String)
}
