import Hummingbird

/// Loopback TCP requires `Authorization: Bearer <token>`, compared in constant time (the time taken does not
/// depend on how much of the token a guess got right). The token is never logged.
struct BearerTokenMiddleware: RouterMiddleware {
    typealias Context = ControlRequestContext

    let token: [UInt8]

    init(token: String) { self.token = Array(token.utf8) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              Self.constantTimeEqual(Array(header.utf8.dropFirst(7)), token)
        else {
            var response = ControlJSON.response(ControlErrorBody(error: ControlAPIError.unauthorized.message), status: .unauthorized)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return try await next(request, context)
    }

    /// Equal length and bytes; every byte of the expected token is visited whatever the guess.
    static func constantTimeEqual(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        // Any length difference counts in full (truncating it to 8 bits would accept token + 256 bytes).
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for index in expected.indices {
            difference |= expected[index] ^ (index < given.count ? given[index] : 0)
        }
        return difference == 0
    }
}
