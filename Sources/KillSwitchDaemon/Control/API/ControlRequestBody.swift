/// A JSON request body whose top-level field names are known, so a misspelt field (`"forse": true`) is a
/// 400 naming it rather than silently ignored.
public protocol ControlRequestBody: Decodable {
    static var fields: Set<String> { get }
}
