/// Every control API error: `{"error": "field: reason"}`.
public struct ControlErrorBody: Sendable, Hashable, Codable {
    public var error: String

    public init(error: String) { self.error = error }
}
