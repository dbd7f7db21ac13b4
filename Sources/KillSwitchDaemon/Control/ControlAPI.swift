import Hummingbird
import KillSwitchCore

/// The control API's routes over one daemon. The same routes serve the Unix socket, where the kernel says
/// who calls, and loopback TCP, where the bearer token does; handlers live in `Routes/`, one file per concept.
struct ControlAPI: Sendable {
    let daemon: Daemon

    var maxBodyBytes: Int { daemon.configuration.control.maxBodyBytes }

    /// How a listener identifies its callers.
    enum Authentication: Sendable {
        case unixSocket(ControlAccessPolicy)
        case bearerTokens([BearerTokenMiddleware.Token])
    }

    /// The router. Rights by role (`ControlRole`): a trip is anyone's; events, heartbeats, PnL, the gate,
    /// status and metrics are the bots'; re-arm and retry the operators'.
    func router(_ authentication: Authentication) -> Router<ControlRequestContext> {
        let router = Router(context: ControlRequestContext.self)
        // Outermost first: errors (404 and 403 included) become JSON, then who is calling.
        router.add(middleware: ControlErrorMiddleware())
        let policy: ControlAccessPolicy?
        switch authentication {
        case .unixSocket(let socketPolicy):
            policy = socketPolicy
            router.add(middleware: PeerIdentificationMiddleware(policy: socketPolicy))
        case .bearerTokens(let tokens):
            policy = nil
            router.add(middleware: BearerTokenMiddleware(tokens: tokens))
        }
        // The safe direction: never refused to a caller who can reach the daemon.
        router.post("/v1/trip") { request, context in try await trip(request, context: context) }
        // Documentation: no role needed beyond reaching the daemon (on TCP, any valid token).
        router.get("/v1/openapi.yaml") { request, context in openAPIDocument(request, context: context) }

        let bots = router.group().add(middleware: RequireRoleMiddleware(role: .bot, policy: policy))
        bots.post("/v1/orders/events") { request, context in try await orderEvents(request, context: context) }
        bots.post("/v1/heartbeats/:source") { request, context in try await heartbeat(request, context: context) }
        bots.post("/v1/pnl") { request, context in try await pnl(request, context: context) }
        bots.get("/v1/gate") { request, context in try await gate(request, context: context) }
        bots.get("/v1/status") { request, context in try await status(request, context: context) }
        bots.get("/metrics") { request, context in await metrics(request, context: context) }

        let operators = router.group().add(middleware: RequireRoleMiddleware(role: .operator, policy: policy))
        operators.post("/v1/rearm") { request, context in try await rearm(request, context: context) }
        operators.post("/v1/incidents/:id/retry") { request, context in try await retry(request, context: context) }
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
