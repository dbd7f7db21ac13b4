import KillSwitchCore

extension VenueKind {
    /// The production base URL (docs/venues.md), used when the CLI is given none.
    public var productionBaseURL: String {
        switch self {
        case .gateFutures, .gateSpot: "https://api.gateio.ws/api/v4"
        case .htxSpot: "https://api.huobi.pro"
        case .bitgetMix: "https://api.bitget.com"
        case .binanceCoinM: "https://dapi.binance.com"
        }
    }
}
