/// "In scope", defined once. Every listing loop (verification, final sweep, latched sweep), every wholesale
/// cancel and the fan-out's choice of venue entries ask this type, so they can never disagree.
///
/// A tripped scope covers the venue entries it names (venue id, account label) and, on those, the orders on
/// the symbols it names — except orders a `keep` rule of their entry protects (`KeepRules`), unless the keep
/// is void for this trip (kept notional above its cap, `keepVoided`). Symbols are compared in the venue kind's
/// canonical form: a scope written `btc_usdt` covers Gate's `BTC_USDT`, and a case mismatch never filters out
/// every listed order.
public struct TripScope: Sendable, Hashable {
    public let scope: Scope
    /// Venue entries whose keep rules do not apply to this trip: their kept notional is above
    /// `max_kept_notional`, so the kept orders are cancelled like any other.
    public let keepVoided: Set<String>

    public init(_ scope: Scope, keepVoided: Set<String> = []) {
        self.scope = scope
        self.keepVoided = keepVoided
    }

    /// Whether the venue entry is covered (its venue id and account label).
    public func covers(_ venue: VenueDescriptor) -> Bool {
        (scope.venue == nil || scope.venue == venue.id) && (scope.account == nil || scope.account == venue.account)
    }

    /// The configured venue entries the scope covers, in configuration order.
    public func venues(in all: [VenueDescriptor]) -> [VenueDescriptor] {
        all.filter(covers)
    }

    /// Whether an order of a covered venue entry of `kind`, on `symbol`, is on a symbol the scope covers
    /// (keep rules aside: see `contains`).
    public func containsOrder(kind: VenueKind, symbol: String) -> Bool {
        guard let wanted = scope.symbol else { return true }
        return kind.canonicalSymbol(wanted) == kind.canonicalSymbol(symbol)
    }

    /// The keep rules that apply to the entry in this trip (nil: none, or void).
    public func keepRules(of venue: VenueDescriptor) -> KeepRules? {
        keepVoided.contains(venue.id) ? nil : venue.keep
    }

    /// Whether a keep rule of the entry protects the order from this trip.
    public func keeps(_ venue: VenueDescriptor, symbol: String, clientOrderId: String?) -> Bool {
        keepRules(of: venue)?.keeps(kind: venue.kind, symbol: symbol, clientOrderId: clientOrderId) ?? false
    }

    /// Whether an order at (venue entry, symbol, client id) is in scope: the entry covered, the symbol covered,
    /// and not kept.
    public func contains(_ venue: VenueDescriptor, symbol: String, clientOrderId: String?) -> Bool {
        covers(venue) && containsOrder(kind: venue.kind, symbol: symbol) && !keeps(venue, symbol: symbol, clientOrderId: clientOrderId)
    }

    /// The symbol to narrow a venue call to (listing, per-symbol cancel-all), written as `kind` writes it.
    public func symbol(for kind: VenueKind) -> String? {
        scope.symbol.map(kind.canonicalSymbol)
    }
}
