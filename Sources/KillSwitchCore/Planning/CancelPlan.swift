/// How one venue entry's orders are taken off in a fan-out: by id, or by the venue's cancel-all (chosen by
/// `CancelStrategyChoice`, allowed by `WholesaleCancel`).
public enum CancelPlan: Sendable, Hashable, CustomStringConvertible {
    /// Batch cancels by id (the default, and `strategy = "by-id"`).
    case byId
    /// The venue's cancel-all: one for the whole entry, or one per symbol. The orders it covers are settled
    /// by a listing made after it (`closedAfterCancelAll`); anything still listed is cancelled by id.
    case cancelAll(CancelAllReach)

    public var description: String {
        switch self {
        case .byId: "by-id"
        case .cancelAll(.entry): "cancel-all (whole entry)"
        case .cancelAll(.symbols(let symbols)): "cancel-all (per symbol: \(symbols.joined(separator: ",")))"
        }
    }
}

/// What a planned cancel-all covers.
public enum CancelAllReach: Sendable, Hashable {
    /// Every order of the entry's venue account in its market, in one call (HTX: in rounds of 100).
    case entry
    /// One per-symbol cancel-all per symbol.
    case symbols([String])

    /// Whether an order on `symbol` is covered (symbols compared in `kind`'s canonical form).
    public func covers(_ symbol: String, kind: VenueKind) -> Bool {
        switch self {
        case .entry: true
        case .symbols(let symbols): symbols.contains { kind.canonicalSymbol($0) == kind.canonicalSymbol(symbol) }
        }
    }
}
