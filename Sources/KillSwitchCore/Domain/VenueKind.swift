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

    public static var allNames: String { allCases.map(\.rawValue).joined(separator: " | ") }
}
