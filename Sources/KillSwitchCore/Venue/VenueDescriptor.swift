/// A configured venue account: everything an adapter needs except the secrets.
public struct VenueDescriptor: Sendable, Hashable {
    public var id: String
    public var kind: VenueKind
    /// Our label for the account (scopes and events name it); the venue knows nothing of it.
    public var account: String
    public var baseURL: String
    public var market: VenueMarket
    public var contracts: [String: ContractSpec]
    /// The venue's own account identity (its UID): venues list, cancel and count rate limits per venue
    /// account, not per API key or per our label. From the config's `uid`, else derived from the API key
    /// (`VenueIdentity.derivedUID`) once credentials are resolved; nil until then.
    public var uid: String?
    /// `enabled = false`: never contacted, needs no credentials; a trip whose scope covers it ends
    /// `incomplete` (reason "disabled").
    public var enabled: Bool
    /// `keep`: orders a trip must leave alone (nil: none). An entry with keep rules is never cancelled wholesale.
    public var keep: KeepRules?
    /// `strategy`: overrides `[engine] strategy` for this entry (nil: the engine's).
    public var strategy: CancelStrategy?

    public init(id: String, kind: VenueKind, account: String, baseURL: String, market: VenueMarket, contracts: [String: ContractSpec] = [:],
                uid: String? = nil, enabled: Bool = true, keep: KeepRules? = nil, strategy: CancelStrategy? = nil) {
        self.keep = keep
        self.strategy = strategy
        self.id = id
        self.kind = kind
        self.account = account
        self.baseURL = baseURL
        self.market = market
        self.contracts = contracts
        self.uid = uid
        self.enabled = enabled
    }

    /// What one venue account's orders are scoped to on the venue: a cancel-all or a listing reaches every
    /// order of (uid, market). Two entries with the same key would see and cancel each other's orders.
    public var marketKey: String {
        switch kind {
        case .gateFutures: "gate futures settle=\(market.settle ?? "-")"
        case .gateSpot: "gate spot account=\(market.gateAccount ?? "-")"
        case .htxSpot: "htx spot account-id=\(market.accountId ?? "-")"
        case .bitgetMix: "bitget mix productType=\(market.productType ?? "-")"
        case .binanceCoinM: "binance coin-m"
        }
    }
}
