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

    /// Whether an order at (venue, account, symbol) falls inside this scope.
    public func contains(venue: String, account: String, symbol: String) -> Bool {
        (self.venue == nil || self.venue == venue)
            && (self.account == nil || self.account == account)
            && (self.symbol == nil || self.symbol == symbol)
    }

    /// Whether every order in `other` is also in `self` (a venue scope covers each of its symbols).
    public func covers(_ other: Scope) -> Bool {
        func covers(_ mine: String?, _ theirs: String?) -> Bool { mine == nil || mine == theirs }
        return covers(venue, other.venue) && covers(account, other.account) && covers(symbol, other.symbol)
    }

    /// Whether the two scopes can share an order.
    public func overlaps(_ other: Scope) -> Bool {
        func overlaps(_ a: String?, _ b: String?) -> Bool { a == nil || b == nil || a == b }
        return overlaps(venue, other.venue) && overlaps(account, other.account) && overlaps(symbol, other.symbol)
    }

    public var description: String {
        if isEverything { return "everything" }
        return [venue.map { "venue=\($0)" }, account.map { "account=\($0)" }, symbol.map { "symbol=\($0)" }]
            .compactMap { $0 }.joined(separator: " ")
    }
}
