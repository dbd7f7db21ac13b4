/// A configured venue account: everything an adapter needs except the secrets.
public struct VenueDescriptor: Sendable, Hashable {
    public var id: String
    public var kind: VenueKind
    public var account: String
    public var baseURL: String
    public var market: VenueMarket
    public var contracts: [String: ContractSpec]

    public init(id: String, kind: VenueKind, account: String, baseURL: String, market: VenueMarket, contracts: [String: ContractSpec] = [:]) {
        self.id = id
        self.kind = kind
        self.account = account
        self.baseURL = baseURL
        self.market = market
        self.contracts = contracts
    }
}
