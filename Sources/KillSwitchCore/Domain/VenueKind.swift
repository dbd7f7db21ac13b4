/// The venue kinds killswitch speaks (config `kind`). One kind is one batch-cancel endpoint.
public enum VenueKind: String, Sendable, Hashable, CaseIterable, Codable {
    case gateFutures = "gate-futures"
    case gateSpot = "gate-spot"
    case htxSpot = "htx-spot"
    case bitgetMix = "bitget-mix"
    case binanceCoinM = "binance-coinm"

    /// The most order ids one batch-cancel request may carry (docs/venues.md §0).
    public var batchLimit: Int {
        switch self {
        case .gateFutures, .gateSpot: 20
        case .htxSpot, .bitgetMix: 50
        case .binanceCoinM: 10
        }
    }

    /// Whether one batch must hold orders of a single symbol (Bitget and Binance take `symbol` per request).
    public var batchIsPerSymbol: Bool {
        switch self {
        case .bitgetMix, .binanceCoinM: true
        case .gateFutures, .gateSpot, .htxSpot: false
        }
    }

    /// The exchange behind the kind (Gate spot and futures share one account and signer).
    public var exchange: String {
        switch self {
        case .gateFutures, .gateSpot: "gate"
        case .htxSpot: "htx"
        case .bitgetMix: "bitget"
        case .binanceCoinM: "binance"
        }
    }

    /// A symbol as the venue writes it: HTX in lower case (`btcusdt`), the others in upper case (`BTC_USDT`,
    /// `BTCUSDT`, `BTCUSD_PERP`). Every venue here treats symbols case-insensitively on input but lists them in
    /// this one form, so scopes, listings and stored orders are compared in it.
    public func canonicalSymbol(_ symbol: String) -> String {
        switch self {
        case .htxSpot: symbol.lowercased()
        case .gateFutures, .gateSpot, .bitgetMix, .binanceCoinM: symbol.uppercased()
        }
    }

    /// Whether the venue has a cancel-all narrowed to one symbol, for escalating a symbol whose batches keep
    /// failing. Bitget v2 mix has none (its `cancel-all-orders` covers the whole product type), so a Bitget
    /// escalation re-lists the symbol and cancels the listed ids instead.
    public var hasSymbolCancelAll: Bool {
        switch self {
        case .gateFutures, .gateSpot, .htxSpot, .binanceCoinM: true
        case .bitgetMix: false
        }
    }

    /// Whether the venue can take `id` as an order id in a cancel: every kind here numbers its orders (digits
    /// only). An order stored with another id is cancelled by its client id, or once a listing shows its real id.
    public func acceptsVenueOrderId(_ id: String) -> Bool {
        // ASCII digits, by bytes: `Character.isNumber` consults Unicode tables, once per character of every order
        // a trip plans.
        !id.isEmpty && id.utf8.count <= 32 && id.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    public static var allNames: String { allCases.map(\.rawValue).joined(separator: " | ") }
}
