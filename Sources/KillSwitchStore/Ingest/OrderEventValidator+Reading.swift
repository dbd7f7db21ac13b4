import Foundation
import KillSwitchCore

/// Reading a batch of events from the bytes a caller sent, with Core's byte-level `JSONParser`: each event
/// object's members go straight into its `OrderEventFields` and are validated as the array is read, so no
/// `JSONValue` tree or per-event dictionary is built for a well-formed batch. (`JSONDecoder` into `JSONValue`,
/// used before, probed every value's type by trying and failing; on 1,000-event batches it was most of the
/// route's cost.)
extension OrderEventValidator {
    /// A JSON array of events (or one event object). A body that is not well-formed JSON is refused whole,
    /// naming where it stopped being JSON; an element that is not an object is that event's error.
    public func validate(json data: Data) throws(EventBatchError) -> [Result<OrderEvent, EventError>] {
        try validate(json: [UInt8](data))
    }

    public func validate(json bytes: [UInt8]) throws(EventBatchError) -> [Result<OrderEvent, EventError>] {
        var parser = JSONParser(bytes: bytes)
        var results: [Result<OrderEvent, EventError>] = []
        parser.skipWhitespace()
        switch parser.current {
        case UInt8(ascii: "["):
            _ = parser.consume(UInt8(ascii: "["))
            parser.skipWhitespace()
            if !parser.consume(UInt8(ascii: "]")) {
                results.reserveCapacity(bytes.count / 200)
                repeat {
                    guard let result = readEvent(&parser, index: results.count) else { throw .malformedJSON(parser.failure.description) }
                    results.append(result)
                    parser.skipWhitespace()
                } while parser.consume(UInt8(ascii: ","))
                guard parser.consume(UInt8(ascii: "]")) else { throw .malformedJSON(parser.failure.description) }
            }
        case UInt8(ascii: "{"):
            guard let result = readEvent(&parser, index: 0) else { throw .malformedJSON(parser.failure.description) }
            results.append(result)
        default:
            guard let value = parser.parseValue() else { throw .malformedJSON(parser.failure.description) }
            parser.skipWhitespace()
            guard parser.isAtEnd else { throw .malformedJSON(parser.failure.description) }
            throw .notAnArray(value.typeName)
        }
        parser.skipWhitespace()
        guard parser.isAtEnd else { throw .malformedJSON(parser.failure.description) }
        return results
    }

    /// Newline-delimited JSON: one event object per non-blank line, indexed by those lines from 0. A line that
    /// is not well-formed JSON is that event's error (`(line)`), naming the column where it stopped.
    public func validate(ndjson data: Data) -> [Result<OrderEvent, EventError>] {
        validate(ndjson: [UInt8](data))
    }

    public func validate(ndjson bytes: [UInt8]) -> [Result<OrderEvent, EventError>] {
        var results: [Result<OrderEvent, EventError>] = []
        var lineStart = 0
        while lineStart <= bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            defer { lineStart = lineEnd + 1 }
            guard bytes[lineStart..<lineEnd].contains(where: { $0 != 32 && $0 != 9 && $0 != 13 }) else { continue }
            let index = results.count
            var parser = JSONParser(bytes: bytes, range: lineStart..<lineEnd)
            var result = readEvent(&parser, index: index)
            if result != nil {
                parser.skipWhitespace()
                if !parser.isAtEnd { result = nil }  // an event followed by more on the same line
            }
            if let result {
                results.append(result)
            } else {
                let failure = parser.failure
                results.append(.failure(EventError(index: index, field: "(line)", reason: "malformed JSON: unexpected \(failure.found) at column \(failure.column)")))
            }
        }
        return results
    }

    /// One array element or line, at its first byte: an object is read member by member and validated; any
    /// other value is that event's error. nil when the bytes are not well-formed JSON (`parser` stopped there).
    private func readEvent(_ parser: inout JSONParser, index: Int) -> Result<OrderEvent, EventError>? {
        parser.skipWhitespace()
        guard parser.current == UInt8(ascii: "{") else {
            guard let value = parser.parseValue() else { return nil }
            return .failure(EventError(index: index, field: "(event)", reason: "expected an object, got \(value.typeName)"))
        }
        var fields = OrderEventFields()
        guard parser.parseObject(members: { fields.set($0, $1) }) else { return nil }
        return validate(fields, index: index)
    }
}
