/// One HTTP header as sent, in order (signatures and previews depend on the exact order and spelling).
public struct HTTPField: Sendable, Hashable, Codable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A fully built, signed request: the transport sends exactly these bytes, nothing added but what the
/// HTTP client itself requires (Content-Length; Host only when absent here).
public struct SignedRequest: Sendable, Hashable {
    /// Upper-case HTTP method (`GET`, `POST`, `DELETE`).
    public var method: String
    /// The absolute URL, query included, already percent-encoded as it goes on the wire.
    public var url: String
    public var headers: [HTTPField]
    /// The exact body text sent (compact JSON), or nil for no body.
    public var body: String?

    public init(method: String, url: String, headers: [HTTPField], body: String?) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The first header with this name (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}
