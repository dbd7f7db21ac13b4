import KillSwitchCore

extension ConfigParser {
    /// `strategy = "auto" | "by-id"` in `[engine]` or a `[[venues]]` entry.
    static func parseStrategy(_ t: TableReader) -> CancelStrategy? {
        guard let text = t.string("strategy") else { return nil }
        guard let strategy = CancelStrategy(rawValue: text) else {
            t.issue("strategy", "\"\(text)\" must be \(CancelStrategy.allNames)")
            return nil
        }
        return strategy
    }

    /// `[[venues]] keep = { client_id_prefix = [...], symbols = [...], max_kept_notional = "…" }`. At least one
    /// criterion; the cap is required: a runaway bot could name its orders like a hedge, and the cap is what
    /// still cancels them.
    static func parseKeep(_ t: TableReader) -> KeepRules? {
        let prefixes = t.stringArray("client_id_prefix") ?? []
        let symbols = t.stringArray("symbols") ?? []
        let cap = t.decimal("max_kept_notional", required: true)
        if prefixes.isEmpty && symbols.isEmpty {
            t.issue("", "names nothing to keep: give client_id_prefix, symbols, or both (an order is kept when it matches every one given)")
        }
        t.finish()
        guard let cap, !(prefixes.isEmpty && symbols.isEmpty) else { return nil }
        return KeepRules(clientIdPrefixes: prefixes, symbols: symbols, maxKeptNotional: cap)
    }
}
