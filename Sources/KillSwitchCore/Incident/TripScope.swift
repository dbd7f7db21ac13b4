/// "In scope", defined once. Every listing loop (verification, final sweep, latched sweep), every wholesale
/// cancel and the fan-out's choice of venue entries ask this type, so they can never disagree.
///
/// A tripped scope covers the venue entries it names (venue id, account label) and, on those, the orders on
/// the symbols it names. Symbols are compared in the venue kind's canonical form: a scope written
/// `btc_usdt` covers Gate's `BTC_USDT`, and a case mismatch never filters out every listed order.
public struct TripScope: Sendable, Hashable {
    public let scope: Scope

    public init(_ scope: Scope) {
        self.scope = scope
    }

    /// Whether the venue entry is covered (its venue id and account label).
    public func covers(_ venue: VenueDescriptor) -> Bool {
        (scope.venue == nil || scope.venue == venue.id) && (scope.account == nil || scope.account == venue.account)
    }

    /// The configured venue entries the scope covers, in configuration order.
    public func venues(in all: [VenueDescriptor]) -> [VenueDescriptor] {
        all.filter(covers)
    }

    /// Whether an order of a covered venue entry of `kind`, on `symbol`, is in scope.
    public func containsOrder(kind: VenueKind, symbol: String) -> Bool {
        guard let wanted = scope.symbol else { return true }
        return kind.canonicalSymbol(wanted) == kind.canonicalSymbol(symbol)
    }

    /// Whether an order at (venue entry, symbol) is in scope.
    public func contains(_ venue: VenueDescriptor, symbol: String) -> Bool {
        covers(venue) && containsOrder(kind: venue.kind, symbol: symbol)
    }

    /// The symbol to narrow a venue call to (listing, per-symbol cancel-all), written as `kind` writes it.
    public func symbol(for kind: VenueKind) -> String? {
        scope.symbol.map(kind.canonicalSymbol)
    }
}
