import KillSwitchCore

/// Gate APIv4, spot (`gate-spot`) or futures (`gate-futures`): one signer, two sets of endpoints.
struct GateAdapter: VenueAdapter {
    /// Futures page by `offset`, spot by `page` number.
    var pagesByPosition: Bool { true }
    let descriptor: VenueDescriptor
    let credentials: VenueCredentials
    let options: VenueRequestOptions
    /// The base URL without a trailing `/api/v4` (every Gate path, signed and sent, includes it).
    let baseURL: VenueBaseURL

    static let apiRoot = "/api/v4"

    init(descriptor: VenueDescriptor, credentials: VenueCredentials, options: VenueRequestOptions) throws {
        self.descriptor = descriptor
        self.credentials = credentials
        self.options = options
        baseURL = try VenueBaseURL(descriptor.baseURL).removingPathSuffix(GateAdapter.apiRoot)
    }

    var isFutures: Bool { descriptor.kind == .gateFutures }

    /// The futures settle currency, lower case in the path as the doc enumerates it (`usdt`, `btc`).
    func settle() throws -> String {
        guard let settle = descriptor.market.settle, !settle.isEmpty else { throw VenueRequestError.missingMarketParameter("settle") }
        return settle.lowercased()
    }

    /// The spot `account` (`spot` / `unified`) when the venue's `gate_account` is set.
    var spotAccount: String? {
        guard let account = descriptor.market.gateAccount, !account.isEmpty else { return nil }
        return account
    }
}
