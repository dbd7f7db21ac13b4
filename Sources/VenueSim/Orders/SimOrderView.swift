/// An order as the admin API reports it.
///
/// `status` is `open`, `cancelled` or `filled`. An HTX order whose cancel was accepted ("submitted") but
/// that has not left the open list yet is `open` with `cancelPending: true`. For cancelled orders
/// `cancelledAtMs` says when (simulator clock) and `cancelledByRequestId` by which logged request (for a
/// countdown, the request that last armed it); `cancelledBy` is `request`, `countdown` or `admin`.
/// `account` is a Gate spot order's account type, `origin` how an order without client id was placed
/// (`web` for a manual order), `filledQuantity` the filled part ("0" when nothing filled; an open order
/// with a filled part is partially filled).
public struct SimOrderView: Sendable, Codable, Hashable {
    public var exchange: String
    public var market: String
    public var settle: String?
    public var productType: String?
    public var symbol: String
    public var id: String
    public var clientOrderId: String?
    public var side: String
    public var price: String
    public var quantity: String
    public var apiKey: String
    public var status: String
    public var cancelPending: Bool
    public var createdAtMs: Int64
    public var cancelledAtMs: Int64?
    public var cancelledByRequestId: Int?
    public var cancelledBy: String?
    public var filledAtMs: Int64?
    public var account: String?
    public var origin: String?
    public var filledQuantity: String?
}
