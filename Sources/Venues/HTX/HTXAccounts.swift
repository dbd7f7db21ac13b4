import KillSwitchCore

/// One HTX account of the key's user (`GET /v1/account/accounts`): the spot account's `id` is the config's
/// `account_id`, which HTX's cancel-all needs and which the site does not show prominently.
public struct HTXAccount: Sendable, Hashable {
    public var id: String
    /// `spot`, `margin`, `super-margin`, `otc`, `point`, …
    public var type: String
    /// Isolated margin: the pair; else empty.
    public var subtype: String
    /// `working` or `lock`.
    public var state: String

    public init(id: String, type: String, subtype: String, state: String) {
        self.id = id
        self.type = type
        self.subtype = subtype
        self.state = state
    }
}

extension HTXAdapter {
    /// The signed listing of the key's accounts (read permission; HTX page "Get all Accounts of the Current User").
    func accountsRequest(timestampMilliseconds: Int64, hostHeader: String) -> SignedRequest {
        signed("GET", "/v1/account/accounts", params: [], body: nil, timestampMilliseconds, hostHeader)
    }

    func parseAccounts(_ answer: VenueHTTPAnswer) -> Result<[HTXAccount], VenueAnswerError> {
        let json = JSONValue.parse(answer.body)
        if let whole = envelope(answer, json) { return .failure(VenueAnswerError(whole, status: answer.status)) }
        guard answer.isSuccess, let json, json["status"]?.text == "ok", let items = json["data"]?.arrayValue else {
            return .failure(VenueAnswerError(unreadable(answer, what: "account list"), status: answer.status))
        }
        return .success(items.compactMap { item in
            guard let id = item["id"]?.text else { return nil }
            return HTXAccount(id: id, type: item["type"]?.text ?? "", subtype: item["subtype"]?.text ?? "", state: item["state"]?.text ?? "")
        })
    }
}

extension HTTPVenueClient {
    /// HTX only: the accounts of the key's user, for `killswitch venue check` (nil for other kinds). Sent without
    /// rate-limit admission: the endpoint has a limit of its own (100 per 2 s) that no cancel shares, and only the
    /// CLI calls it, once.
    public func htxAccounts() async throws -> [HTXAccount]? {
        guard let htx = adapter as? HTXAdapter else { return nil }
        let request = htx.accountsRequest(timestampMilliseconds: clock.now(), hostHeader: htx.baseURL.hostHeader)
        switch await transport.send(request) {
        case .failure(let failure):
            throw failure
        case .success(let answer):
            return try htx.parseAccounts(answer).get()
        }
    }
}
