import Hummingbird

extension ControlAPI {
    /// `GET /v1/gate?venue=&account=&symbol=` → `{allowed, incident?, reason?}` for cooperating bots: blocked
    /// inside any latched scope. `account` defaults to the venue's configured account.
    func gate(_ request: Request, context: ControlRequestContext) async throws -> Response {
        let query = request.uri.queryParameters
        func required(_ name: String) throws -> String {
            guard let value = query.get(name), !value.isEmpty else { throw ControlAPIError.badRequest("\(name): missing query parameter") }
            return value
        }
        let venueId = try required("venue")
        let symbol = try required("symbol")
        guard let venue = daemon.configuration.venues.first(where: { $0.descriptor.id == venueId })?.descriptor else {
            throw ControlAPIError.badRequest("venue: unknown venue \"\(venueId)\"; configured: \(configuredVenues)")
        }
        let account = query.get("account").flatMap { $0.isEmpty ? nil : $0 } ?? venue.account
        return ControlJSON.response(await daemon.engine.gate(venue: venueId, account: account, symbol: symbol))
    }
}
