/// One filtered read of a venue's open orders. Most venues list every open order in one paged read; a venue
/// whose listing shows one order state per call is listed as several legs, each paged on its own and each
/// page admitted by the rate limits like any request, then merged by venue order id (`HTTPVenueClient`).
///
/// Bitget's orders-pending takes `status` = `live` | `partially_filled`, and what it lists without a status is
/// UNVERIFIED (docs/venues.md §6): an unfiltered read that leaves partially filled orders out would let one
/// pass for cancelled and never sweep an untracked one. So it is listed `live` first, then `partially_filled`:
/// an order only moves from live to partially filled, so in that order no order can slip between the reads.
public enum ListingLeg: Sendable, Hashable, CustomStringConvertible {
    /// The endpoint's listing of every open order (every venue kind but Bitget).
    case all
    /// Only the open orders in this venue state, as the venue spells it (Bitget: `live`, `partially_filled`).
    case state(String)

    public var description: String {
        switch self {
        case .all: "all"
        case .state(let state): state
        }
    }
}
