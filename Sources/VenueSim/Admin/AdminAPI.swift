import Foundation

/// The admin API under `/_sim/` (JSON). Bad input gets a 400 with `{"error": reason}`.
///
/// - `POST /_sim/orders` `[SimOrderSeed]` → `{"created": N}`
/// - `GET /_sim/orders?exchange=&market=&status=open|cancelled|filled|all` → `[SimOrderView]`
/// - `GET /_sim/requests?since=ID` → `[SimRequestLogEntry]`
/// - `POST /_sim/faults` `SimFaults` (or an array of them) → `{"faults": [...]}`; `GET` lists; `DELETE` clears
/// - `POST /_sim/reset` → clears orders, the request log, faults and countdowns
/// - `POST /_sim/clock` `{"offsetMs": N}` → `{"nowMs", "offsetMs"}`; `GET` reads it
/// - `POST /_sim/limits` `{"enabled": Bool}` (all limits) or a `SimRateLimitOverride`; `GET` reads; `DELETE` drops overrides
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
