/// One open order to seed over `POST /_sim/orders` or `VenueSimulator.seed`.
///
/// `market` is `spot` or `futures` (Gate both; HTX spot; Bitget mix and Binance COIN-M are `futures`).
/// `settle` is Gate futures' settle currency (default `usdt`); `productType` Bitget's (default `USDT-FUTURES`).
/// `price` and `quantity` are decimal text (numbers are accepted too); for Gate futures `quantity` is the
/// contract count and a `sell` is reported with a negative size.
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
        apiKey: String
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
    }

    enum CodingKeys: String, CodingKey {
        case exchange, market, settle, productType, symbol, id, clientOrderId, side, price, quantity, apiKey
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
    }
}
