/// `[engine] strategy` and `[[venues]] strategy`: how a trip takes a venue entry's orders off.
public enum CancelStrategy: String, Sendable, Hashable, CaseIterable, Codable {
    /// Per entry, the faster of cancelling by id and the venue's cancel-all — the latter only where
    /// `WholesaleCancel` allows it (the whole entry in scope, the only entry on its venue account and market,
    /// no keep rules).
    case auto
    /// Batch cancels by id only (the venue's cancel-all only as the escalation of a symbol whose batches keep
    /// failing, under the same eligibility check).
    case byId = "by-id"

    public static var allNames: String { allCases.map { "\"\($0.rawValue)\"" }.joined(separator: " or ") }
}
