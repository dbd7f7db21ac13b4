/// The one eligibility check for every wholesale cancel — `auto`'s choice of a venue's cancel-all, by-id's
/// escalation of a symbol whose batches keep failing, and any cancel-all fallback — so no path can cancel
/// wider than "in scope".
///
/// A venue's cancel-all reaches every order its venue account (`uid`) holds in the market (per symbol where
/// the venue has a per-symbol one), not our entry or its `account` label. So it is allowed only when:
/// - the trip covers the whole entry (global, its venue, or its account) — for a symbol scope, only the
///   venue's per-symbol cancel-all, where one exists;
/// - the entry is the only configured entry on its venue account and market (another entry's orders would
///   go too, and its venue account must be known to say so);
/// - the entry has no `keep` rules (a cancel-all cannot spare a kept order).
public enum WholesaleCancel: Sendable, Hashable {
    case allowed
    case refused(String)

    public var isAllowed: Bool { self == .allowed }

    /// Why it is refused; nil when allowed.
    public var reason: String? {
        if case .refused(let reason) = self { return reason }
        return nil
    }

    public static func check(_ venue: VenueDescriptor, among all: [VenueDescriptor], scope: TripScope) -> WholesaleCancel {
        guard scope.covers(venue) else { return .refused("the trip does not cover venue \(venue.id)") }
        if venue.keep != nil {
            return .refused("venue \(venue.id) has keep rules: a cancel-all would cancel kept orders")
        }
        if scope.scope.symbol != nil, !venue.kind.hasSymbolCancelAll {
            return .refused("\(venue.kind.rawValue) has no per-symbol cancel-all (its cancel-all covers the whole product type)")
        }
        guard let uid = venue.uid else {
            return .refused("the venue account (uid) of \(venue.id) is unknown, so other entries on it cannot be ruled out")
        }
        let sharing = all.filter { other in
            other.id != venue.id && other.kind.exchange == venue.kind.exchange && other.marketKey == venue.marketKey && (other.uid == nil || other.uid == uid)
        }
        if let other = sharing.first {
            let how = other.uid == nil ? "may be (its uid is unknown)" : "is"
            return .refused("venue \(other.id) \(how) on the same venue account (uid \(uid)) and market (\(venue.marketKey)): a cancel-all would reach its orders")
        }
        return .allowed
    }
}
