import Foundation
import Hummingbird
import KillSwitchCore
import NIOCore

/// JSON in and out for the control API: bodies read under the size limit, decoded with errors that name
/// the field and the reason, answers encoded with stable (sorted) keys.
enum ControlJSON {
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data(#"{"error":"could not encode the answer"}"#.utf8)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// The request body, refused with 413 above `limit` bytes (by Content-Length when given, else while reading).
    static func body(of request: Request, limit: Int) async throws -> Data {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit { throw ControlAPIError.tooLarge(limit: limit) }
        do {
            var buffer = try await request.body.collect(upTo: limit)
            return buffer.readData(length: buffer.readableBytes) ?? Data()
        } catch is NIOTooManyBytesError {
            throw ControlAPIError.tooLarge(limit: limit)
        }
    }

    /// Decodes a JSON object body into `T`, refusing unknown fields (a misspelt `force` must not be ignored).
    static func decode<T: ControlRequestBody>(_ type: T.Type, from data: Data) throws -> T {
        guard !data.allSatisfy({ $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }) else {
            throw ControlAPIError.badRequest("body: empty; expected a JSON object")
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ControlAPIError.badRequest("body: malformed JSON: \(describe(error))")
        }
        guard case .object(let object) = value else { throw ControlAPIError.badRequest("body: expected a JSON object, got \(value.typeName)") }
        if let unknown = object.keys.filter({ !T.fields.contains($0) }).sorted().first {
            throw ControlAPIError.badRequest("\(fieldName(unknown)): unknown field; known fields: \(T.fields.sorted().joined(separator: ", "))")
        }
        if case .object(let scope)? = object["scope"], let unknown = scope.keys.filter({ !scopeFields.contains($0) }).sorted().first {
            throw ControlAPIError.badRequest("scope.\(fieldName(unknown)): unknown field; known fields: \(scopeFields.sorted().joined(separator: ", "))")
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw ControlAPIError.badRequest(describe(error, in: value))
        }
    }

    static let scopeFields: Set<String> = ["venue", "account", "symbol"]

    /// A field name as an error message names it: as is when it is a plain name, else JSON-quoted, so an empty
    /// or odd key (`""`, one with a colon or a newline) still reads as the field before "field: reason".
    static func fieldName(_ name: String) -> String {
        let plain = !name.isEmpty && name.utf8.count <= 64 && name.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-")
        }
        if plain { return name }
        let encoded = (try? JSONEncoder().encode(String(name.prefix(64)))).map { String(decoding: $0, as: UTF8.self) } ?? "\"?\""
        return name.count > 64 ? String(encoded.dropLast()) + "…\"" : encoded
    }

    /// "field: reason" for a decoding error; `value` is the parsed body, to say what was there instead.
    static func describe(_ error: DecodingError, in value: JSONValue) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("") { text, key in
                if let index = key.intValue { return text + "[\(index)]" }
                return text.isEmpty ? key.stringValue : text + "." + key.stringValue
            }
        }
        func found(_ keys: [any CodingKey]) -> JSONValue? {
            keys.reduce(Optional(value)) { current, key in
                guard let current else { return nil }
                if let index = key.intValue, case .array(let items) = current { return index < items.count ? items[index] : nil }
                return current[key.stringValue]
            }
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): missing"
        case .valueNotFound(_, let context):
            return "\(path(context.codingPath)): must not be null"
        case .typeMismatch(let type, let context):
            let got = found(context.codingPath).map { " got \($0.typeName)" } ?? ""
            return "\(path(context.codingPath)): expected \(typeName(type)),\(got)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "body: malformed JSON: \(context.debugDescription)" : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "body: \(error)"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "true or false"
        case is Int64.Type, is Int.Type: "an integer"
        case is [String: Any].Type, is [String: JSONValue].Type: "an object"
        default: "\(type)"
        }
    }

    static func describe(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
        }
        return "\(error)"
    }
}
