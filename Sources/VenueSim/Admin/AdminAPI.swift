import Foundation

/// The admin API under `/_sim/` (JSON). Bad input gets a 400 with `{"error": reason}`.
///
/// - `POST /_sim/orders` `[SimOrderSeed]` → `{"created": N}`
/// - `GET /_sim/orders?exchange=&market=&status=open|cancelled|filled|all` → `[SimOrderView]`
/// - `GET /_sim/requests?since=ID` → `[SimRequestLogEntry]`
/// - `POST /_sim/faults` `SimFaults` (or an array of them) → `{"faults": [...]}`; `GET` lists; `DELETE` clears
/// - `POST /_sim/reset` → clears orders, the request log, faults, countdowns, rate-limit arrivals and Binance bans
/// - `POST /_sim/clock` `{"offsetMs": N}` → `{"nowMs", "offsetMs"}`; `GET` reads it
/// - `POST /_sim/limits` `{"enabled": Bool}` (all limits) or a `SimRateLimitOverride`; `GET` reads; `DELETE` drops overrides
/// - `POST /_sim/orders/fill` `{"exchange", "id", "quantity"?}` → the order (`SimOrderView`), partially filled
///   (half of what is left without `quantity`); it stays open
/// - `GET /_sim/arrivals[?since=ID][&admittedOnly=true]` → `[SimArrivalSummary]`, one per rate-limit key counted:
///   the most arrivals/weight in any window of the key's published window, against its limit
/// - `GET /_sim/arrivals?key=K|exchange=&market=&path=&account=[&windowMs=W][&since=][&admittedOnly=]` → one
///   `SimArrivalSummary` (`windowMs` defaults to the key's window; required without `key`; `path` may end in `*`)
/// - `POST /_sim/bans` `{"ip"?: "127.0.0.1" (default every IP), "durationMs": N}` → `{"bans": [SimBan]}`: bans the
///   IP from Binance (418) for N ms of simulator time; `GET` lists the bans in force; `DELETE` lifts them all
/// - `GET /_sim/countdowns` → `[SimCountdownView]`, the armed dead-man switches (reading fires those due)
struct AdminAPI: Sendable {
    let core: SimCore

    struct Reply: Sendable {
        var status: Int
        var body: String
    }

    func respond(method: String, path: String, query: QueryString, body: [UInt8]) async -> Reply {
        do {
            return try route(method: method, path: path, query: query, body: body)
        } catch let error as VenueSimError {
            return Reply(status: 400, body: JSONValue.object([("error", .string(error.reason))]).text)
        } catch {
            return Reply(status: 400, body: JSONValue.object([("error", .string("\(error)"))]).text)
        }
    }

    private func route(method: String, path: String, query: QueryString, body: [UInt8]) throws -> Reply {
        let resource = path.dropFirst("/_sim".count).trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        switch (method, resource) {
        case ("POST", "orders"):
            let seeds = try decode([SimOrderSeed].self, from: body, what: "an array of orders")
            return try ok(["created": try core.seed(seeds)])
        case ("GET", "orders"):
            return try ok(
                try core.orders(
                    exchange: query.value("exchange").nonEmpty, market: query.value("market").nonEmpty,
                    status: query.value("status").nonEmpty
                )
            )
        case ("POST", "orders/fill"):
            let request = try decode(FillRequest.self, from: body, what: #"{"exchange", "id", "quantity"?}"#)
            return try ok(try core.fill(exchange: request.exchange, id: request.id, quantity: request.quantity))
        case ("GET", "arrivals"):
            let since = try Self.integer(query.value("since").nonEmpty, name: "since") ?? 0
            let admittedOnly = query.value("admittedOnly").nonEmpty.map { $0 == "true" || $0 == "1" } ?? false
            let windowMs = try Self.integer(query.value("windowMs").nonEmpty, name: "windowMs").map(Int64.init)
            let filter = SimArrivalFilter(
                limitKey: query.value("key").nonEmpty, exchange: query.value("exchange").nonEmpty,
                market: query.value("market").nonEmpty, path: query.value("path").nonEmpty,
                account: query.value("account").nonEmpty, since: since, admittedOnly: admittedOnly
            )
            if filter.limitKey == nil, filter.exchange == nil, filter.market == nil, filter.path == nil, filter.account == nil, windowMs == nil {
                return try ok(core.arrivalSummaries(since: since, admittedOnly: admittedOnly))
            }
            return try ok(try core.arrivals(filter, windowMs: windowMs))
        case ("POST", "bans"):
            let request = try decode(BanRequest.self, from: body, what: #"{"ip"?, "durationMs": N}"#)
            return try ok(["bans": try core.banBinance(ip: request.ip, durationMs: request.durationMs)])
        case ("GET", "bans"):
            return try ok(["bans": core.binanceBans()])
        case ("DELETE", "bans"):
            core.liftBinanceBans()
            return try ok(["bans": [SimBan]()])
        case ("GET", "countdowns"):
            return try ok(core.countdowns())
        case ("GET", "requests"):
            var since = 0
            if let text = query.value("since").nonEmpty {
                guard let value = Int(text) else { throw VenueSimError("since must be an integer request id, got '\(text)'") }
                since = value
            }
            return try ok(core.requests(since: since))
        case ("POST", "faults"):
            let list: [SimFaults]
            if body.first(where: { !Self.isWhitespace($0) }) == UInt8(ascii: "[") {
                list = try decode([SimFaults].self, from: body, what: "a fault set or an array of them")
            } else {
                list = [try decode(SimFaults.self, from: body, what: "a fault set")]
            }
            for faults in list {
                if let problem = faults.problem() { throw VenueSimError(problem) }
            }
            for faults in list { try core.setFaults(faults) }
            return try ok(["faults": core.faults()])
        case ("GET", "faults"):
            return try ok(["faults": core.faults()])
        case ("DELETE", "faults"):
            core.clearFaults()
            return try ok(["faults": [SimFaults]()])
        case ("POST", "reset"):
            core.reset()
            return try ok(["reset": true])
        case ("POST", "clock"):
            let request = try decode(ClockShift.self, from: body, what: #"{"offsetMs": N}"#)
            core.clock.setOffset(milliseconds: request.offsetMs)
            return try clockReply()
        case ("GET", "clock"):
            return try clockReply()
        case ("POST", "limits"):
            let request = try decode(LimitChange.self, from: body, what: "a limit change")
            if let exchange = request.exchange {
                try core.addRateLimitOverride(
                    SimRateLimitOverride(
                        exchange: exchange, market: request.market, enabled: request.enabled,
                        capacity: request.capacity, windowMs: request.windowMs
                    )
                )
            } else if let enabled = request.enabled {
                core.setRateLimits(enabled: enabled)
            } else {
                throw VenueSimError(#"expected {"enabled": Bool} or an override with "exchange""#)
            }
            return try limitsReply()
        case ("GET", "limits"):
            return try limitsReply()
        case ("DELETE", "limits"):
            core.clearRateLimitOverrides()
            return try limitsReply()
        default:
            throw VenueSimError("no admin route \(method) \(path)")
        }
    }

    private struct FillRequest: Decodable {
        var exchange: String
        var id: String
        var quantity: String?

        enum CodingKeys: String, CodingKey { case exchange, id, quantity }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            exchange = try container.decode(String.self, forKey: .exchange)
            id = try container.decodeLenientString(forKey: .id)
            quantity = try container.decodeLenientStringIfPresent(forKey: .quantity)
        }
    }

    private struct BanRequest: Decodable {
        var ip: String?
        var durationMs: Int64
    }

    private static func integer(_ text: String?, name: String) throws -> Int? {
        guard let text else { return nil }
        guard let value = Int(text) else { throw VenueSimError("\(name) must be an integer, got '\(text)'") }
        return value
    }

    private struct ClockShift: Decodable {
        var offsetMs: Int64
    }

    private struct LimitChange: Decodable {
        var exchange: String?
        var market: String?
        var enabled: Bool?
        var capacity: Double?
        var windowMs: Int64?
    }

    private struct LimitsView: Encodable {
        var enabled: Bool
        var overrides: [SimRateLimitOverride]
    }

    private struct ClockView: Encodable {
        var nowMs: Int64
        var offsetMs: Int64
    }

    private func clockReply() throws -> Reply {
        try ok(ClockView(nowMs: core.now(), offsetMs: core.clock.offsetMilliseconds))
    }

    private func limitsReply() throws -> Reply {
        let settings = core.rateLimitSettings()
        return try ok(LimitsView(enabled: settings.enabled, overrides: settings.overrides))
    }

    private func decode<T: Decodable>(_ type: T.Type, from body: [UInt8], what: String) throws -> T {
        guard !body.isEmpty else { throw VenueSimError("empty body: expected \(what)") }
        do {
            return try JSONDecoder().decode(type, from: Data(body))
        } catch let error as DecodingError {
            throw VenueSimError("expected \(what): \(Self.describe(error))")
        } catch {
            throw VenueSimError("expected \(what): \(error)")
        }
    }

    private func ok(_ value: some Encodable) throws -> Reply {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do {
            return Reply(status: 200, body: String(decoding: try encoder.encode(value), as: UTF8.self))
        } catch {
            throw VenueSimError("could not encode the answer: \(error)")
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let joined = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return joined.isEmpty ? "" : " at \(joined)"
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\(key.stringValue)'\(path(context))"
        case .typeMismatch(_, let context): return "wrong type\(path(context)): \(context.debugDescription)"
        case .valueNotFound(_, let context): return "null value\(path(context))"
        case .dataCorrupted(let context): return "not valid JSON\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

extension Optional where Wrapped == String {
    /// nil for a missing or empty query value.
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
