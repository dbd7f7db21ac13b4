import Hummingbird
import NIOCore

extension ControlAPI {
    /// `GET /v1/status`: see `StatusReport`.
    func status(_ request: Request, context: ControlRequestContext) async throws -> Response {
        ControlJSON.response(try await daemon.statusReport())
    }

    /// `GET /metrics`: the daemon's Prometheus registry in the text exposition format.
    func metrics(_ request: Request, context: ControlRequestContext) -> Response {
        var bytes: [UInt8] = []
        daemon.metrics.emit(into: &bytes)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
