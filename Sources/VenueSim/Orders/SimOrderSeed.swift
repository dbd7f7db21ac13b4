/// One open order to seed over `POST /_sim/orders` or `VenueSimulator.seed`.
///
/// `market` is `spot` or `futures` (Gate both; HTX spot; Bitget mix and Binance COIN-M are `futures`).
/// `settle` is Gate futures' settle currency (default `usdt`); `productType` Bitget's (default `USDT-FUTURES`).
/// `price` and `quantity` are decimal text (numbers are accepted too); for Gate futures `quantity` is the
/// contract count and a `sell` is reported with a negative size.
///
/// The order belongs to the venue account (uid) of `apiKey`: every key of that uid sees it.
///
/// - `account`: Gate spot only, the account type the order rests in: `spot` (default), `margin`,
///   `cross_margin` or `unified`.
/// - `origin`: how the order was placed when it has no client-chosen id, as the venue labels it. A manual
///   order is `web`: Gate reports it as its `text` (spot's reserved values per the SDK's Order model are
///   `101`–`104`, `3` (web), `2`, `apiv4`; futures' are `web`, `api`, `app`, `auto_deleveraging`,
///   `liquidation`, `insurance`, …), HTX as `source` with no `client-order-id`, Bitget as `enterPointSource`.
///   Without `origin` and `clientOrderId` the order was placed over the API (Gate `apiv4` spot / `api`
///   futures). See `SimOrderSeed.manual`.
/// - `filledQuantity`: already filled part (decimal text, less than `quantity`); above 0 the order is
///   partially filled (Bitget `partially_filled`, HTX `partial-filled`, Binance `PARTIALLY_FILLED`).
public struct SimOrderSeed: Sendable, Codable, Hashable {
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
    public var account: String?
    public var origin: String?
    public var filledQuantity: String?

    public init(
        exchange: String,
        market: String,
        settle: String? = nil,
        productType: String? = nil,
        symbol: String,
        id: String,
        clientOrderId: String? = nil,
        side: String,
        price: String,
        quantity: String,
        apiKey: String,
        account: String? = nil,
        origin: String? = nil,
        filledQuantity: String? = nil
    ) {
        self.exchange = exchange
        self.market = market
        self.settle = settle
        self.productType = productType
        self.symbol = symbol
        self.id = id
        self.clientOrderId = clientOrderId
        self.side = side
        self.price = price
        self.quantity = quantity
        self.apiKey = apiKey
        self.account = account
        self.origin = origin
        self.filledQuantity = filledQuantity
    }

    /// A manual order (placed on the venue's website: origin `web`, no client id), as a trader's hand
    /// orders are; several of them share the one origin label.
    public static func manual(
        exchange: String, market: String, settle: String? = nil, productType: String? = nil, symbol: String, id: String,
        side: String, price: String, quantity: String, apiKey: String, account: String? = nil, origin: String = "web"
    ) -> SimOrderSeed {
        SimOrderSeed(
            exchange: exchange, market: market, settle: settle, productType: productType, symbol: symbol, id: id,
            clientOrderId: nil, side: side, price: price, quantity: quantity, apiKey: apiKey, account: account, origin: origin
        )
    }

    enum CodingKeys: String, CodingKey {
        case exchange, market, settle, productType, symbol, id, clientOrderId, side, price, quantity, apiKey
        case account, origin, filledQuantity
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        exchange = try container.decode(String.self, forKey: .exchange)
        market = try container.decode(String.self, forKey: .market)
        settle = try container.decodeIfPresent(String.self, forKey: .settle)
        productType = try container.decodeIfPresent(String.self, forKey: .productType)
        symbol = try container.decode(String.self, forKey: .symbol)
        id = try container.decodeLenientString(forKey: .id)
        clientOrderId = try container.decodeLenientStringIfPresent(forKey: .clientOrderId)
        side = try container.decode(String.self, forKey: .side)
        price = try container.decodeLenientString(forKey: .price)
        quantity = try container.decodeLenientString(forKey: .quantity)
        apiKey = try container.decode(String.self, forKey: .apiKey)
        account = try container.decodeIfPresent(String.self, forKey: .account)
        origin = try container.decodeIfPresent(String.self, forKey: .origin)
        filledQuantity = try container.decodeLenientStringIfPresent(forKey: .filledQuantity)
    }
}
