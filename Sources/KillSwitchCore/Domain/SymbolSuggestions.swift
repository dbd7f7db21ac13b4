/// Near matches for a symbol nobody has seen: a trip for `BTCUSDT` on Gate (which writes `BTC_USDT`) still
/// latches — tripping is always allowed — but the answer names what the operator probably meant.
public enum SymbolSuggestions {
    /// Known symbols close to `symbol`: equal once separators and case are ignored, one containing the
    /// other, or within two edits. Best first, at most `limit`.
    public static func nearMatches(for symbol: String, in known: some Sequence<String>, limit: Int = 5) -> [String] {
        let wanted = folded(symbol)
        var scored: [(String, Int)] = []
        for candidate in Set(known) {
            let other = folded(candidate)
            let score: Int
            if other == wanted { score = 0 }
            else if other.contains(wanted) || wanted.contains(other) { score = 1 }
            else {
                let distance = editDistance(wanted, other, cap: 3)
                guard distance <= 2 else { continue }
                score = 1 + distance
            }
            scored.append((candidate, score))
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(limit).map(\.0)
    }

    /// Upper case without `_`, `-`, `/` and spaces: `btc_usdt`, `BTC-USDT` and `BTCUSDT` fold alike.
    static func folded(_ symbol: String) -> [Character] {
        Array(symbol.uppercased().filter { !"_-/ ".contains($0) })
    }

    /// Levenshtein distance, giving up (returning `cap`) once every path exceeds it.
    static func editDistance(_ a: [Character], _ b: [Character], cap: Int) -> Int {
        if abs(a.count - b.count) >= cap { return cap }
        var previous = Array(0...b.count)
        for (i, ca) in a.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: b.count)
            for (j, cb) in b.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (ca == cb ? 0 : 1))
            }
            if current.min()! >= cap { return cap }
            previous = current
        }
        return min(previous[b.count], cap)
    }
}
