import Hummingbird

/// Refuses (403) a caller whose role is below `role`, naming what would grant it: the group on the socket,
/// the token on TCP.
struct RequireRoleMiddleware: RouterMiddleware {
    typealias Context = ControlRequestContext

    let role: ControlRole
    /// For the socket's message: the groups' names. Nil on TCP.
    let policy: ControlAccessPolicy?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let caller = context.caller
        guard caller.role >= role else {
            throw ControlAPIError.forbidden("\(request.method) \(request.uri.path): \(requirement(for: caller))")
        }
        return try await next(request, context)
    }

    func requirement(for caller: ControlCaller) -> String {
        switch caller.via {
        case .unixSocket:
            let group = policy?.group(for: role)?.name ?? "?"
            let who = caller.uid.map { "\(caller.name), uid \($0)" } ?? "credentials unreadable"
            return "requires membership of group '\(group)' (caller: \(who))"
        case .tcpToken:
            let token = role == .operator ? "the operator token (control.operator_token_env)" : "a bot or operator token"
            return "requires \(token); this request carried the \(caller.name) token"
        }
    }
}
