import Crypto
import Hummingbird

/// Loopback TCP requires `Authorization: Bearer <token>`: the bots' token (`[control] token_env`) or the
/// operators' (`operator_token_env`). Each token has a name, which is the caller's identity in the audit
/// (TCP has no Unix user to read), and a role.
///
/// The given value and every token are compared as SHA-256 digests: equal-length values whatever was sent,
/// compared by swift-crypto's constant-time digest `==`, so neither the time taken nor any length handling
/// says how much of a token a guess got right (a hand-written compare here once accepted token + 256 bytes).
/// Tokens are never logged.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = ControlRequestContext

    /// One accepted token: its name in the audit, what it may do, and its digest (the value is not kept).
    struct Token: Sendable {
        var name: String
        var role: ControlRole
        var digest: SHA256.Digest

        init(name: String, role: ControlRole, value: String) {
            self.name = name
            self.role = role
            self.digest = SHA256.hash(data: Array(value.utf8))
        }
    }

    /// The audit names of the two TCP tokens.
    static let botTokenName = "tcp-bot"
    static let operatorTokenName = "tcp-operator"

    let tokens: [Token]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              let token = Self.match(Array(header.utf8.dropFirst(7)), among: tokens)
        else {
            var response = ControlJSON.response(ControlErrorBody(error: ControlAPIError.unauthorized.message), status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        var context = context
        context.caller = ControlCaller(name: token.name, uid: nil, role: token.role, via: .tcpToken)
        return try await next(request, context)
    }

    /// The token whose digest equals the given value's, comparing against every token (no early exit).
    static func match(_ given: [UInt8], among tokens: [Token]) -> Token? {
        let digest = SHA256.hash(data: given)
        var found: Token?
        for token in tokens where token.digest == digest { found = token }
        return found
    }

    /// Whether `given` is the token `expected` (the comparison `match` makes, for one token).
    static func matches(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        SHA256.hash(data: given) == SHA256.hash(data: expected)
    }
}
