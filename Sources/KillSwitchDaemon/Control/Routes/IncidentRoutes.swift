import Hummingbird
import KillSwitchCore

extension ControlAPI {
    /// `POST /v1/trip` → the incident id. Recorded under the caller's identity (the socket peer's Unix user,
    /// or the TCP token's name); a body's `actor` is kept beside it as a note.
    func trip(_ request: Request, context: ControlRequestContext) async throws -> Response {
        let body = try ControlJSON.decode(TripBody.self, from: try await ControlJSON.body(of: request, limit: maxBodyBytes))
        try requireText(body.reason, field: "reason")
        let scope = body.scope ?? .everything
        try validate(scope)
        if let actor = body.actor { try requireText(actor, field: "actor") }
        let actor = context.caller.actor(note: body.actor)
        let incident = await daemon.engine.trip(scope: scope, reason: body.reason, actor: actor)
        let warning = await daemon.unknownSymbolWarning(scope)
        return ControlJSON.response(TripAnswer(incident: incident, actor: actor.name, warning: warning))
    }

    /// `POST /v1/rearm` by incident id or by exact scope (operators only); 409 with the rule's reason while
    /// its condition holds.
    func rearm(_ request: Request, context: ControlRequestContext) async throws -> Response {
        let body = try ControlJSON.decode(RearmBody.self, from: try await ControlJSON.body(of: request, limit: maxBodyBytes))
        if let name = body.operator { try requireText(name, field: "operator") }
        try requireText(body.reason, field: "reason")
        let force = body.force ?? false
        // Who re-arms is who the kernel (or the token) says; the body's `operator` is only a note beside it.
        let actor = context.caller.actor(note: body.operator)
        do {
            switch (body.incident, body.scope) {
            case (.some, .some):
                throw ControlAPIError.badRequest("incident: give incident or scope, not both")
            case (.some(let id), nil):
                try await daemon.rearm(incidentId: id, operator: actor, reason: body.reason, force: force)
                return ControlJSON.response(RearmAnswer(rearmed: [id], forced: force))
            case (nil, let scope):
                let scope = scope ?? .everything
                try validate(scope)
                let ids = try await daemon.rearm(scope: scope, operator: actor, reason: body.reason, force: force)
                return ControlJSON.response(RearmAnswer(rearmed: ids, forced: force))
            }
        } catch let error as Daemon.RearmError {
            switch error {
            case .unknownIncident: throw ControlAPIError.notFound("incident: \(error.description)")
            // The field a caller would change: the incident (already re-armed), or `force` (the rule still holds).
            case .notLatched: throw ControlAPIError.conflict("incident: \(error.description)")
            case .conditionStillHolds: throw ControlAPIError.conflict("force: \(error.description)")
            }
        } catch let error as Daemon.ScopeRearmError {
            throw ControlAPIError.notFound("scope: \(error.description)")
        }
    }

    /// `POST /v1/incidents/{id}/retry` (operators only): re-drives an ended, still-latched incident's orders that are still open.
    func retry(_ request: Request, context: ControlRequestContext) async throws -> Response {
        let text = try context.parameters.require("id")
        guard let id = Int64(text), id > 0 else { throw ControlAPIError.badRequest("id: \"\(text)\" is not an incident number") }
        do {
            try await daemon.engine.retry(incidentId: id, actor: context.caller.actor())
        } catch let error as TripEngine.RetryError {
            switch error {
            case .unknownIncident: throw ControlAPIError.notFound("incident: \(error.description)")
            case .stillRunning, .notLatched: throw ControlAPIError.conflict("incident: \(error.description)")
            }
        }
        return ControlJSON.response(RetryAnswer(incident: id, state: "running"))
    }
}
