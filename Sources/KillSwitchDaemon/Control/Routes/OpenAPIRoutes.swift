import Foundation
import Hummingbird
import NIOCore

extension ControlAPI {
    /// `GET /v1/openapi.yaml`: the OpenAPI document of this API (docs/control-api.yaml), embedded at build time
    /// so an installed binary serves the document it was built with. `application/yaml` is RFC 9512's type.
    func openAPIDocument(_ request: Request, context: ControlRequestContext) -> Response {
        Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: ControlAPIDocument.bytes)))
    }
}

/// The embedded OpenAPI document (see `Plugins/EmbedControlAPIDocument`).
public enum ControlAPIDocument {
    /// The exact bytes of docs/control-api.yaml at build time.
    public static let bytes: [UInt8] = Array(Data(base64Encoded: embeddedControlAPIDocumentBase64) ?? Data())
}
