import Hummingbird
import KillSwitchCore

/// The control API's routes over one daemon. The same router serves the Unix socket and, behind a bearer
/// token, loopback TCP; handlers live in `Routes/`, one file per concept.
struct ControlAPI: Sendable {
    let daemon: Daemon

    var maxBodyBytes: Int { daemon.configuration.control.maxBodyBytes }

    /// The router; `bearerToken` set for the TCP listener.
    func router(bearerToken: String?) -> Router<ControlRequestContext> {
        let router = Router(context: ControlRequestContext.self)
        // Outermost first: errors (404 included) become JSON, then the token check.
        router.add(middleware: ControlErrorMiddleware())
        if let bearerToken { router.add(middleware: BearerTokenMiddleware(token: bearerToken)) }
        router.post("/v1/orders/events") { request, context in try await orderEvents(request, context: context) }
        router.post("/v1/heartbeats/:source") { request, context in try await heartbeat(request, context: context) }
        router.post("/v1/pnl") { request, context in try await pnl(request, context: context) }
        router.get("/v1/gate") { request, context in try await gate(request, context: context) }
        router.post("/v1/trip") { request, context in try await trip(request, context: context) }
        router.post("/v1/rearm") { request, context in try await rearm(request, context: context) }
        router.post("/v1/incidents/:id/retry") { request, context in try await retry(request, context: context) }
        router.get("/v1/status") { request, context in try await status(request, context: context) }
        router.get("/metrics") { request, context in metrics(request, context: context) }
        return router
    }

    /// A scope naming a venue must name a configured one, and its account must be that venue's account.
    func validate(_ scope: Scope, field: String = "scope") throws {
        guard let venueId = scope.venue else { return }
        guard let venue = daemon.configuration.venues.first(where: { $0.descriptor.id == venueId })?.descriptor else {
            throw ControlAPIError.badRequest("\(field).venue: unknown venue \"\(venueId)\"; configured: \(configuredVenues)")
        }
        if let account = scope.account, account != venue.account {
            throw ControlAPIError.badRequest("\(field).account: \"\(account)\" is not venue \(venueId)'s account \"\(venue.account)\"")
        }
    }

    var configuredVenues: String { daemon.configuration.venues.map(\.descriptor.id).sorted().joined(separator: ", ") }

    /// A required, non-empty text field (after JSON decoding: present but blank is still refused).
    func requireText(_ value: String, field: String) throws {
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { throw ControlAPIError.badRequest("\(field): must not be empty") }
    }
}
