import Hummingbird

/// An error a handler answers with: the HTTP status and a message naming the field and the reason.
struct ControlAPIError: Error, CustomStringConvertible {
    var status: HTTPResponse.Status
    var message: String

    var description: String { message }

    static func badRequest(_ message: String) -> Self { .init(status: .badRequest, message: message) }
    static func notFound(_ message: String) -> Self { .init(status: .notFound, message: message) }
    static func conflict(_ message: String) -> Self { .init(status: .conflict, message: message) }
    static func forbidden(_ message: String) -> Self { .init(status: .forbidden, message: message) }
    static func tooLarge(limit: Int) -> Self { .init(status: .contentTooLarge, message: "body: larger than the limit of \(limit) bytes (control.max_body_bytes)") }
    static let unauthorized = Self(status: .unauthorized, message: "Authorization: missing or wrong bearer token (expected: Bearer <token>)")
}
