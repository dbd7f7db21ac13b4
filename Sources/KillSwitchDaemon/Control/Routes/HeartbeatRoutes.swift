import Hummingbird

extension ControlAPI {
    /// `POST /v1/heartbeats/{source}`: stamped with the daemon's own clock and the
    /// caller's identity (any body is ignored).
    func heartbeat(_ request: Request, context: ControlRequestContext) async throws -> Response {
        let source = try context.parameters.require("source")
        guard source.utf8.count <= 256 else { throw ControlAPIError.badRequest("source: longer than 256 bytes") }
        let watched = try await daemon.heartbeat(source: source, caller: context.caller.actor())
        return ControlJSON.response(HeartbeatAnswer(source: source, watched: watched))
    }
}
