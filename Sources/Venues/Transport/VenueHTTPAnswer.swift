/// An HTTP answer as the response parsers see it: status, headers, the whole body as text.
public struct VenueHTTPAnswer: Sendable, Hashable {
    public var status: Int
    public var headers: [HTTPField]
    public var body: String

    public init(status: Int, headers: [HTTPField] = [], body: String) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }

    var isSuccess: Bool { (200..<300).contains(status) }
}
