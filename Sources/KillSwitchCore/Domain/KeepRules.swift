/// `[[venues]] keep`: orders a desk never wants a kill to touch (manual hedges). A kept order is outside "in
/// scope" (`TripScope`): no listing loop adopts, cancels or waits for it, and the entry is never cancelled
/// wholesale (a venue cancel-all cannot spare it). Each criterion given must match — a client id prefix AND a
/// symbol when both are set — so `symbols` narrows the prefixes rather than widening them.
///
/// A runaway bot could name its orders `hedge-…`: kept notional above `maxKeptNotional` voids the keep for
/// the entry (and trips it), so those orders are cancelled like any other.
public struct KeepRules: Sendable, Hashable {
    /// Client order ids starting with any of these are kept (empty: any client id, or none, matches).
    public var clientIdPrefixes: [String]
    /// Orders on these symbols are kept (empty: any symbol matches). Compared in the venue kind's canonical form.
    public var symbols: [String]
    /// The most open notional the keep may protect on the entry; above it the keep is void.
    public var maxKeptNotional: DecimalAmount

    public init(clientIdPrefixes: [String] = [], symbols: [String] = [], maxKeptNotional: DecimalAmount) {
        self.clientIdPrefixes = clientIdPrefixes
        self.symbols = symbols
        self.maxKeptNotional = maxKeptNotional
    }

    /// Whether an order of an entry of `kind` is kept. An order with no client id never matches a prefix.
    public func keeps(kind: VenueKind, symbol: String, clientOrderId: String?) -> Bool {
        if !clientIdPrefixes.isEmpty {
            guard let clientOrderId, clientIdPrefixes.contains(where: { clientOrderId.hasPrefix($0) }) else { return false }
        }
        if !symbols.isEmpty {
            let wanted = kind.canonicalSymbol(symbol)
            guard symbols.contains(where: { kind.canonicalSymbol($0) == wanted }) else { return false }
        }
        return true
    }
}
