import Hummingbird

/// HTTPTypes' field, reached through the `HTTPFields` Hummingbird re-exports.
typealias SimHTTPField = HTTPFields.Element

/// A venue request as received, with everything a signature check needs: the raw query, the Host header
/// as sent and the raw body bytes.
struct VenueRequest: Sendable {
    let id: Int
    let receivedAtMs: Int64
    /// Arrival on the host's wall clock in microseconds (no simulated offset), for latency benchmarks.
    var receivedAtMicros: Int64 = 0
    let method: String
    let path: String
    let query: QueryString
    let headers: HTTPFields
    /// The Host header (authority) exactly as received.
    let host: String
    let body: [UInt8]
    /// The peer's IP (Binance weight is per IP).
    let remoteAddress: String

    func header(_ name: String) -> String? {
        guard let fieldName = SimHTTPField.fieldName(name) else { return nil }
        return headers[fieldName]
    }

    func header(_ name: SimHTTPField.Name) -> String? {
        headers[name]
    }

    var pathComponents: [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}

/// A venue's answer plus what the request log records about it.
struct VenueReply: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: String
    var verdict: String
    var account: String? = nil
    var orderIds: [String] = []
    /// The rate-limit key the request was counted under, and its cost there.
    var limitKey: String? = nil
    var weight: Double? = nil

    init(status: Int, json: JSONValue, verdict: String, account: String? = nil, orderIds: [String] = []) {
        self.status = status
        self.body = json.text
        self.verdict = verdict
        self.account = account
        self.orderIds = orderIds
    }

    init(status: Int, body: String, verdict: String, account: String? = nil, orderIds: [String] = []) {
        self.status = status
        self.body = body
        self.verdict = verdict
        self.account = account
        self.orderIds = orderIds
    }

    func with(headers extra: [(String, String)]) -> VenueReply {
        var copy = self
        copy.headers += extra
        return copy
    }

    func counted(_ check: RateLimitCheck?, weight: Double) -> VenueReply {
        guard let key = check?.key else { return self }
        var copy = self
        copy.limitKey = key
        copy.weight = weight
        return copy
    }
}

/// One exchange's surface on the shared port.
protocol VenueRoutes: Sendable {
    var exchange: String { get }
    /// The market a path belongs to (for faults, limits and the log).
    func market(of path: String) -> String
    func respond(to request: VenueRequest, core: SimCore, faults: ActiveFaults) -> VenueReply
    /// The venue's 5xx answer for an `errorRate` fault.
    func serverError(for request: VenueRequest) -> VenueReply
}

extension SimHTTPField {
    /// Header names the hot paths use, parsed once (building a name validates and lower-cases it).
    static let gateKey = Name("KEY")!
    static let gateTimestamp = Name("Timestamp")!
    static let gateSign = Name("SIGN")!
    static let gateExpTime = Name("x-gate-exptime")!

    private static let known: [String: Name] = {
        let names = [
            "KEY", "Timestamp", "SIGN", "x-gate-exptime",
            "X-Gate-RateLimit-Requests-Remain", "X-Gate-RateLimit-Limit", "X-Gate-RateLimit-Reset-Timestamp",
            "X-In-Time", "X-Out-Time",
        ]
        var table: [String: Name] = [:]
        for name in names { table[name] = Name(name) }
        return table
    }()

    /// `Name(name)`, from a table of the common ones when possible.
    static func fieldName(_ name: String) -> Name? {
        known[name] ?? Name(name)
    }
}
