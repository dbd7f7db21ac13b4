/// What a trip covers: `{venue?, account?, symbol?}`; empty means everything. Scopes nest.
public struct Scope: Sendable, Hashable, Codable, CustomStringConvertible {
    public var venue: String?
    public var account: String?
    public var symbol: String?

    public init(venue: String? = nil, account: String? = nil, symbol: String? = nil) {
        self.venue = venue
        self.account = account
        self.symbol = symbol
    }

    public static let everything = Scope()

    public var isEverything: Bool { venue == nil && account == nil && symbol == nil }

    /// Whether an order at (venue, account, symbol) falls inside this scope. Symbols compare without regard to
    /// case: every venue kind here writes its symbols in one case (`VenueKind.canonicalSymbol`), so a scope
    /// or a bot that writes another case still means the same market.
    public func contains(venue: String, account: String, symbol: String) -> Bool {
        (self.venue == nil || self.venue == venue)
            && (self.account == nil || self.account == account)
            && (self.symbol == nil || Self.sameSymbol(self.symbol!, symbol))
    }

    static func sameSymbol(_ a: String, _ b: String) -> Bool {
        a == b || a.lowercased() == b.lowercased()
    }

    /// Whether every order in `other` is also in `self` (a venue scope covers each of its symbols).
    public func covers(_ other: Scope) -> Bool {
        func covers(_ mine: String?, _ theirs: String?) -> Bool { mine == nil || mine == theirs }
        let symbolCovered = symbol == nil || other.symbol.map { Self.sameSymbol(symbol!, $0) } == true
        return covers(venue, other.venue) && covers(account, other.account) && symbolCovered
    }

    /// Whether the two scopes can share an order.
    public func overlaps(_ other: Scope) -> Bool {
        func overlaps(_ a: String?, _ b: String?) -> Bool { a == nil || b == nil || a == b }
        let symbolsOverlap = symbol == nil || other.symbol == nil || Self.sameSymbol(symbol!, other.symbol!)
        return overlaps(venue, other.venue) && overlaps(account, other.account) && symbolsOverlap
    }

    public var description: String {
        if isEverything { return "everything" }
        return [venue.map { "venue=\($0)" }, account.map { "account=\($0)" }, symbol.map { "symbol=\($0)" }]
            .compactMap { $0 }.joined(separator: " ")
    }
}
