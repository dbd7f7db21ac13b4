import Hummingbird
import NIOCore

/// Turns every error into `{"error": "..."}` with its status, unknown routes included (404), so clients
/// never have to parse Hummingbird's own error format.
struct ControlErrorMiddleware: RouterMiddleware {
    typealias Context = ControlRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as ControlAPIError {
            return ControlJSON.response(ControlErrorBody(error: error.message), status: error.status)
        } catch is NIOTooManyBytesError {
            return ControlJSON.response(ControlErrorBody(error: "body: too large"), status: .contentTooLarge)
        } catch let error as HTTPError {
            let message = error.status == .notFound ? "path: no route \(request.method) \(request.uri.path)" : "request: \(error.body ?? error.status.reasonPhrase)"
            return ControlJSON.response(ControlErrorBody(error: message), status: error.status)
        } catch {
            context.logger.error("control request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            return ControlJSON.response(ControlErrorBody(error: "internal error: \(error)"), status: .internalServerError)
        }
    }
}
