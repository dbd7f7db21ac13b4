import KillSwitchCore

extension Store {
    /// Tracked open orders per symbol on a venue entry (read-only; the countdown service's view of which
    /// Binance symbols need a countdown and whether HTX's 500-order cancel covers the account). Served by the
    /// `orders_open` partial index.
    public func openOrderCounts(venueId: String) throws -> [String: Int] {
        let statement = try db.cached("""
            SELECT symbol, COUNT(*) FROM orders
            WHERE venue_id = ? AND status IN ('new', 'acknowledged', 'partiallyFilled') AND merged_into IS NULL GROUP BY symbol
            """)
        defer { statement.reset() }
        _ = statement.bind(1, venueId)
        var counts: [String: Int] = [:]
        while try statement.step() { counts[statement.text(0) ?? ""] = Int(statement.int(1)) }
        return counts
    }
}
