import Foundation
import KillSwitchCore

/// Turns order events as sent (JSON) into validated `OrderEvent`s, or errors naming the event's index, the
/// field and the reason. The venue id fixes kind, account and market parameters, so those are checked here.
/// Reading the bytes is `OrderEventValidator+Reading.swift`; this file is the rules.
public struct OrderEventValidator: Sendable {
    let venues: [String: VenueDescriptor]
    /// "binance-main, bitget-main, …" for the unknown-venue error, computed once rather than per bad event.
    let configuredVenues: String

    public init(venues: [VenueDescriptor]) {
        self.venues = Dictionary(venues.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        configuredVenues = self.venues.keys.sorted().joined(separator: ", ")
    }

    /// Validates one already-parsed event.
    public func validate(_ value: JSONValue, index: Int) -> Result<OrderEvent, EventError> {
        guard case .object(let object) = value else {
            return .failure(EventError(index: index, field: "(event)", reason: "expected an object, got \(value.typeName)"))
        }
        return validate(OrderEventFields(object: object), index: index)
    }

    /// The rules, in the order their errors are reported: unknown fields first, then each field as the README
    /// lists them. Only the first problem of an event is reported.
    func validate(_ fields: OrderEventFields, index: Int) -> Result<OrderEvent, EventError> {
        func failure(_ field: String, _ reason: String) -> EventError { EventError(index: index, field: field, reason: reason) }
        func fail(_ field: String, _ reason: String) -> Result<OrderEvent, EventError> { .failure(failure(field, reason)) }
        if !fields.unknown.isEmpty, let unknown = fields.unknown.min() { return fail(unknown, "unknown field") }
        if let repeated = fields.repeated { return fail(repeated, "sent twice in one event") }
        // An optional string field; a present field of another type is an error.
        func string(_ value: JSONValue?, _ field: String, required: Bool) throws(EventError) -> String? {
            switch value {
            case nil, .null?:
                if required { throw failure(field, "missing") }
                return nil
            case .string(let s)?:
                if s.isEmpty { throw failure(field, "must not be empty") }
                // Characters, not bytes, as before; counting characters is only needed past 256 bytes.
                if s.utf8.count > 256, s.count > 256 { throw failure(field, "longer than 256 characters") }
                return s
            case let other?:
                throw failure(field, "expected a string, got \(other.typeName)")
            }
        }
        func amount(_ value: JSONValue?, _ field: String) throws(EventError) -> DecimalAmount? {
            if case .number(_, let text)? = value {
                throw failure(field, "expected a decimal string such as \"\(text)\", got a number (amounts are strings, never binary floating point)")
            }
            guard let text = try string(value, field, required: false) else { return nil }
            guard let amount = DecimalAmount(text) else { throw failure(field, "\"\(text)\" is not a decimal number") }
            if amount.isNegative { throw failure(field, "must not be negative (\(text))") }
            return amount
        }
        do throws(EventError) {
            guard let eventId = try string(fields.eventId, "eventId", required: true),
                  let venueId = try string(fields.venue, "venue", required: true) else { return fail("eventId", "missing") }
            guard let venue = venues[venueId] else {
                return fail("venue", "unknown venue \"\(venueId)\"; configured: \(configuredVenues)")
            }
            if let account = try string(fields.account, "account", required: false), account != venue.account {
                return fail("account", "\"\(account)\" is not venue \(venueId)'s account \"\(venue.account)\"")
            }
            guard let symbol = try string(fields.symbol, "symbol", required: true) else { return fail("symbol", "missing") }
            let venueOrderId = try string(fields.venueOrderId, "venueOrderId", required: false)
            var clientOrderId = try string(fields.clientOrderId, "clientOrderId", required: false)
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
            guard let statusText = try string(fields.status, "status", required: true) else { return fail("status", "missing") }
            guard let status = OrderStatus(rawValue: statusText) else {
                return fail("status", "unknown status \"\(statusText)\"; expected one of \(OrderStatus.allNames)")
            }
            var side: OrderSide?
            if let sideText = try string(fields.side, "side", required: false) {
                guard let parsed = OrderSide(rawValue: sideText) else { return fail("side", "unknown side \"\(sideText)\"; expected buy or sell") }
                side = parsed
            }
            let price = try amount(fields.price, "price")
            let quantity = try amount(fields.quantity, "quantity")
            let filled = try amount(fields.filledQuantity, "filledQuantity")
            if let quantity, let filled, quantity < filled {
                return fail("filledQuantity", "\(filled) exceeds quantity \(quantity)")
            }
            var time: Int64?
            if let timeText = try string(fields.time, "time", required: false) {
                guard let parsed = Timestamp.parse(timeText) else {
                    return fail("time", "\"\(timeText)\" is not an RFC 3339 time such as 2026-11-25T10:15:00.123Z")
                }
                time = parsed
            }
            func market(_ value: JSONValue?, _ field: String, _ expected: String?) throws(EventError) {
                if let given = try string(value, field, required: false), given != expected {
                    throw failure(field, "\"\(given)\" does not match venue \(venueId)'s configured \(field) \(expected.map { "\"\($0)\"" } ?? "(none)")")
                }
            }
            try market(fields.settle, "settle", venue.market.settle)
            try market(fields.productType, "productType", venue.market.productType)
            try market(fields.marginCoin, "marginCoin", venue.market.marginCoin)
            return .success(OrderEvent(
                eventId: eventId, venueId: venueId, account: venue.account, symbol: symbol, venueOrderId: venueOrderId,
                clientOrderId: clientOrderId, origin: origin, status: status, side: side, price: price, quantity: quantity,
                filledQuantity: filled, time: time, warnings: warnings
            ))
        } catch {
            return .failure(error)
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
