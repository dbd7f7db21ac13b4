import Hummingbird
import NIOCore

extension ControlAPI {
    /// `GET /v1/status`: see `StatusReport`.
    func status(_ request: Request, context: ControlRequestContext) async throws -> Response {
        ControlJSON.response(try await daemon.statusReport())
    }

    /// `GET /metrics`: the daemon's Prometheus registry in the text exposition format (the same text as the
    /// metrics listener's).
    func metrics(_ request: Request, context: ControlRequestContext) async -> Response {
        let bytes = await daemon.metricsText()
        return Response(status: .ok, headers: [.contentType: Daemon.metricsContentType], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
