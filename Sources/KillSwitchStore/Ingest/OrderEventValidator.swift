import Foundation
import KillSwitchCore

/// Turns decoded JSON events into validated `OrderEvent`s, or errors naming the event's index, the field
/// and the reason. The venue id fixes kind, account and market parameters, so those are checked here.
public struct OrderEventValidator: Sendable {
    let venues: [String: VenueDescriptor]

    public init(venues: [VenueDescriptor]) {
        self.venues = Dictionary(venues.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    static let knownFields: Set<String> = [
        "eventId", "venue", "account", "symbol", "venueOrderId", "clientOrderId", "status", "side", "price",
        "quantity", "filledQuantity", "time", "settle", "productType", "marginCoin",
    ]

    /// Decodes a JSON array of events (or one event object) and validates each.
    public func validate(json data: Data) throws(EventBatchError) -> [Result<OrderEvent, EventError>] {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw EventBatchError.malformedJSON(Self.describe(error))
        }
        switch value {
        case .array(let items): return items.enumerated().map { validate($0.element, index: $0.offset) }
        case .object: return [validate(value, index: 0)]
        default: throw EventBatchError.notAnArray(value.typeName)
        }
    }

    /// Decodes newline-delimited JSON: one event object per non-empty line.
    public func validate(ndjson data: Data) -> [Result<OrderEvent, EventError>] {
        let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .filter { !$0.allSatisfy { $0 == 32 || $0 == 9 || $0 == 13 } }
        return lines.enumerated().map { index, line in
            do {
                let value = try JSONDecoder().decode(JSONValue.self, from: Data(line))
                return validate(value, index: index)
            } catch {
                return .failure(EventError(index: index, field: "(line)", reason: "malformed JSON: \(Self.describe(error))"))
            }
        }
    }

    public func validate(_ value: JSONValue, index: Int) -> Result<OrderEvent, EventError> {
        func fail(_ field: String, _ reason: String) -> Result<OrderEvent, EventError> {
            .failure(EventError(index: index, field: field, reason: reason))
        }
        guard case .object(let object) = value else { return fail("(event)", "expected an object, got \(value.typeName)") }
        if let unknown = object.keys.filter({ !Self.knownFields.contains($0) }).sorted().first {
            return fail(unknown, "unknown field")
        }
        // Reads an optional string field; a present field of another type is an error.
        func string(_ field: String, required: Bool) -> Result<String?, EventError> {
            switch object[field] {
            case nil, .null?:
                return required ? .failure(EventError(index: index, field: field, reason: "missing")) : .success(nil)
            case .string(let s)?:
                if s.isEmpty { return .failure(EventError(index: index, field: field, reason: "must not be empty")) }
                if s.count > 256 { return .failure(EventError(index: index, field: field, reason: "longer than 256 characters")) }
                return .success(s)
            case let other?:
                return .failure(EventError(index: index, field: field, reason: "expected a string, got \(other.typeName)"))
            }
        }
        func amount(_ field: String) -> Result<DecimalAmount?, EventError> {
            switch string(field, required: false) {
            case .failure(let error):
                if case .number(_, let text)? = object[field] {
                    return .failure(EventError(index: index, field: field, reason: "expected a decimal string such as \"\(text)\", got a number (amounts are strings, never binary floating point)"))
                }
                return .failure(error)
            case .success(nil): return .success(nil)
            case .success(let text?):
                guard let value = DecimalAmount(text) else {
                    return .failure(EventError(index: index, field: field, reason: "\"\(text)\" is not a decimal number"))
                }
                if value.isNegative { return .failure(EventError(index: index, field: field, reason: "must not be negative (\(text))")) }
                return .success(value)
            }
        }
        do {
            guard let eventId = try string("eventId", required: true).get(),
                  let venueId = try string("venue", required: true).get() else { return fail("eventId", "missing") }
            guard let venue = venues[venueId] else {
                return fail("venue", "unknown venue \"\(venueId)\"; configured: \(venues.keys.sorted().joined(separator: ", "))")
            }
            let account = try string("account", required: false).get()
            if let account, account != venue.account {
                return fail("account", "\"\(account)\" is not venue \(venueId)'s account \"\(venue.account)\"")
            }
            guard let symbol = try string("symbol", required: true).get() else { return fail("symbol", "missing") }
            let venueOrderId = try string("venueOrderId", required: false).get()
            var clientOrderId = try string("clientOrderId", required: false).get()
            if venueOrderId == nil && clientOrderId == nil {
                return fail("venueOrderId", "an event needs venueOrderId or clientOrderId")
            }
            // The venue's rule for what a client id is (`ClientOrderIdReading`): an origin label sent as
            // clientOrderId (Gate: anything not `t-…`) is kept as the order's origin, never as its identity —
            // it is shared by every order placed that way. Without a venueOrderId nothing identifies the order.
            var origin: String?
            var warnings: [EventWarning] = []
            if let sent = clientOrderId, let reason = venue.kind.notAClientIdReason(sent) {
                guard venueOrderId != nil else {
                    return fail("clientOrderId", "\(reason); an event with it needs venueOrderId")
                }
                origin = sent
                clientOrderId = nil
                warnings.append(EventWarning(index: index, field: "clientOrderId", reason: "\(reason); stored as the order's origin, not as its client id"))
            }
            // A live order the exposure rules must see, even with an id the venue cannot take: stored, but
            // cancelled only once a listing shows its real id.
            if let sent = venueOrderId, !venue.kind.acceptsVenueOrderId(sent) {
                warnings.append(EventWarning(index: index, field: "venueOrderId", reason: "\"\(sent)\" is not a \(venue.kind.rawValue) order id (digits only); stored, but it can only be cancelled once a listing shows the order's real id"))
            }
            guard let statusText = try string("status", required: true).get() else { return fail("status", "missing") }
            guard let status = OrderStatus(rawValue: statusText) else {
                return fail("status", "unknown status \"\(statusText)\"; expected one of \(OrderStatus.allNames)")
            }
            var side: OrderSide?
            if let sideText = try string("side", required: false).get() {
                guard let parsed = OrderSide(rawValue: sideText) else { return fail("side", "unknown side \"\(sideText)\"; expected buy or sell") }
                side = parsed
            }
            let price = try amount("price").get()
            let quantity = try amount("quantity").get()
            let filled = try amount("filledQuantity").get()
            if let quantity, let filled, quantity < filled {
                return fail("filledQuantity", "\(filled) exceeds quantity \(quantity)")
            }
            var time: Int64?
            if let timeText = try string("time", required: false).get() {
                guard let parsed = Timestamp.parse(timeText) else {
                    return fail("time", "\"\(timeText)\" is not an RFC 3339 time such as 2026-11-25T10:15:00.123Z")
                }
                time = parsed
            }
            for (field, expected) in [("settle", venue.market.settle), ("productType", venue.market.productType), ("marginCoin", venue.market.marginCoin)] {
                if let given = try string(field, required: false).get(), given != expected {
                    return fail(field, "\"\(given)\" does not match venue \(venueId)'s configured \(field) \(expected.map { "\"\($0)\"" } ?? "(none)")")
                }
            }
            return .success(OrderEvent(
                eventId: eventId, venueId: venueId, account: venue.account, symbol: symbol, venueOrderId: venueOrderId,
                clientOrderId: clientOrderId, origin: origin, status: status, side: side, price: price, quantity: quantity,
                filledQuantity: filled, time: time, warnings: warnings
            ))
        } catch {
            return .failure(error)
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        default: return "\(error)"
        }
    }
}

public enum EventBatchError: Error, CustomStringConvertible, Equatable {
    case malformedJSON(String)
    case notAnArray(String)

    public var description: String {
        switch self {
        case .malformedJSON(let reason): "malformed JSON: \(reason)"
        case .notAnArray(let type): "expected a JSON array of events (or one event object), got \(type)"
        }
    }
}
