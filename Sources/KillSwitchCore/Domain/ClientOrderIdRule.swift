/// What a venue's client-order-id field holds: the client's own id for one order, or an origin label.
///
/// Some venues reuse the field. Gate reports an order placed without a custom `text` with a label saying
/// how it was placed (`web`, `api`, `apiv4`, `3`, `liquidation`, …), shared by every order of that origin;
/// only text starting with `t-` is a client's own id (Gate requires that prefix of every custom text). A
/// label taken for a client id makes the second manual order collide with the first, so every reading of
/// that field — listings, cancel answers, order events — goes through this one rule (docs/venues.md §7).
public enum ClientOrderIdReading: Sendable, Hashable {
    /// The client's own id for this order (unique per account by the venue's rules).
    case clientId(String)
    /// How the order was placed, as the venue labels it: never an order's identity.
    case origin(String)

    public var clientId: String? {
        if case .clientId(let id) = self { id } else { nil }
    }

    public var origin: String? {
        if case .origin(let label) = self { label } else { nil }
    }
}

extension VenueKind {
    /// Gate's prefix for a client-chosen `text`.
    public static let gateClientIdPrefix = "t-"

    /// Reads the venue's client-order-id field: nil when absent or empty; for Gate only `t-…` text (with
    /// something after the prefix) is a client id and anything else is the order's origin — never a fixed
    /// list of labels, since Gate names them differently per market and SDK version. HTX, Bitget and
    /// Binance only ever put the client's own (or a venue-generated, still unique) id there.
    public func readClientOrderId(_ text: String?) -> ClientOrderIdReading? {
        guard let text, !text.isEmpty else { return nil }
        switch self {
        case .gateFutures, .gateSpot:
            if text.hasPrefix(Self.gateClientIdPrefix), text.count > Self.gateClientIdPrefix.count { return .clientId(text) }
            return .origin(text)
        case .htxSpot, .bitgetMix, .binanceCoinM:
            return .clientId(text)
        }
    }

    /// Why `text` is not a client id on this venue (for warnings naming the field), or nil when it is one.
    public func notAClientIdReason(_ text: String) -> String? {
        guard case .origin? = readClientOrderId(text) else { return nil }
        return "\"\(text)\" is not a \(rawValue) client order id (only text starting with \"\(Self.gateClientIdPrefix)\" is): "
            + "it is how the order was placed, shared by every order placed that way"
    }
}
