import KillSwitchCore

/// What `config check` says of each entry's strategy: which cancel a trip of the whole entry may use, and why
/// not the venue's cancel-all where it may not (`WholesaleCancel`, the check every trip runs), and what its keep
/// rules protect.
public enum StrategyPlan {
    public static func describe(_ config: KillSwitchConfiguration) -> [String] {
        let all = config.venueDescriptors
        return config.venues.map { venue in
            let d = venue.descriptor
            let strategy = venue.strategy(engine: config.engine)
            var line = "strategy \(d.id): \(strategy.rawValue)"
            switch (strategy, WholesaleCancel.check(d, among: all, scope: TripScope(Scope(venue: d.id)))) {
            case (.byId, _):
                line += "; cancels by id (a symbol escalates to its cancel-all only where allowed)"
            case (.auto, .allowed):
                line += "; a trip of the whole entry may use the venue's cancel-all where it is faster"
                if !d.kind.hasSymbolCancelAll { line += " (a symbol scope goes by id: no per-symbol cancel-all)" }
            case (.auto, .refused(let reason)):
                line += "; cancels by id: \(reason)"
            }
            if let keep = d.keep {
                let prefixes = keep.clientIdPrefixes.isEmpty ? nil : "client ids \(keep.clientIdPrefixes.joined(separator: ", "))…"
                let symbols = keep.symbols.isEmpty ? nil : "symbols \(keep.symbols.joined(separator: ", "))"
                line += "; keeps orders with \([prefixes, symbols].compactMap { $0 }.joined(separator: " on ")) up to \(keep.maxKeptNotional) notional"
            }
            return line
        }
    }
}
