import Foundation
import Hummingbird
import KillSwitchCore
import KillSwitchStore

extension ControlAPI {
    /// `POST /v1/orders/events`: a JSON array (or one object) or NDJSON. A batch is one transaction,
    /// acknowledged after commit; bad events are rejected by index while good ones are stored. Each stored
    /// event records who sent it. Answers with totals and the exceptions (rejected events, warnings), or with
    /// every event's result when asked (`?results=all`).
    ///
    /// The body is read by Core's byte-level `JSONParser` straight into each event's fields: the route used
    /// to decode it with `JSONDecoder` into `JSONValue` and answer per event, which cost most of the time a
    /// 1,000-event batch spent in the daemon (BENCHMARKS.md, "Order events through the socket").
    func orderEvents(_ request: Request, context: ControlRequestContext) async throws -> Response {
        let form = try Self.resultsForm(request)
        let data = try await ControlJSON.body(of: request, limit: maxBodyBytes)
        let bytes = [UInt8](data)
        guard bytes.contains(where: { $0 != 32 && $0 != 10 && $0 != 13 && $0 != 9 }) else {
            throw ControlAPIError.badRequest("body: empty; expected a JSON array of events or NDJSON (one event per line)")
        }
        let validator = OrderEventValidator(venues: daemon.configuration.venueDescriptors)
        let events: [Result<OrderEvent, EventError>]
        if Self.isNDJSON(request: request, body: bytes) {
            events = validator.validate(ndjson: bytes)
        } else {
            do {
                events = try validator.validate(json: bytes)
            } catch {
                throw ControlAPIError.badRequest("body: \(error.description)")
            }
        }
        let results = try await daemon.ingest(events, caller: context.caller.actor())
        return ControlJSON.response(Self.answer(events: events, results: results, form: form))
    }

    /// The answer in the form asked for. The compact form builds an entry only for the exceptions.
    static func answer(events: [Result<OrderEvent, EventError>], results: [IngestResult], form: OrderEventResults.Form) -> OrderEventResults {
        var answer = OrderEventResults(stored: 0, duplicates: 0, rejected: 0, warnings: 0)
        var entries: [OrderEventResults.Result] = []
        if form == .all { entries.reserveCapacity(results.count) }
        for (index, result) in results.enumerated() {
            // Validation's warnings travel on the accepted event (a moved field, never a dropped one).
            var warning: String?
            if index < events.count, case .success(let event) = events[index], !event.warnings.isEmpty {
                warning = event.warnings.map(\.description).joined(separator: "; ")
            }
            let entry: OrderEventResults.Result?
            switch result {
            case .stored(let orderId, let status, _):
                answer.stored += 1
                entry = form == .all || warning != nil
                    ? OrderEventResults.Result(index: index, result: "stored", orderId: orderId, orderStatus: status.rawValue, warning: warning) : nil
            case .duplicate(let orderId):
                answer.duplicates += 1
                entry = form == .all || warning != nil ? OrderEventResults.Result(index: index, result: "duplicate", orderId: orderId, warning: warning) : nil
            case .rejected(let error):
                answer.rejected += 1
                warning = nil
                entry = OrderEventResults.Result(index: index, result: "rejected", error: error.description)
            }
            if warning != nil { answer.warnings += 1 }
            if let entry { entries.append(entry) }
        }
        switch form {
        case .all: answer.results = entries
        case .exceptions: answer.exceptions = entries
        }
        return answer
    }

    /// `?results=exceptions` (the default) or `?results=all`; any other parameter or value is refused, so a
    /// misspelt `results` never silently answers in the other form.
    static func resultsForm(_ request: Request) throws -> OrderEventResults.Form {
        var form = OrderEventResults.Form.exceptions
        for (name, value) in request.uri.queryParameters {
            guard name == "results" else {
                // The error names a field: the parameter, or `query` itself when the parameter has no name.
                throw ControlAPIError.badRequest(name.isEmpty ? "query: a parameter without a name; known: results" : "\(name): unknown query parameter; known: results")
            }
            guard let chosen = OrderEventResults.Form(rawValue: String(value)) else {
                throw ControlAPIError.badRequest("results: unknown value \"\(value)\"; expected exceptions or all")
            }
            form = chosen
        }
        return form
    }

    /// NDJSON when the content type says so, or when the body is not one JSON array and has several lines.
    static func isNDJSON(request: Request, body: [UInt8]) -> Bool {
        if let type = request.headers[.contentType]?.lowercased(), type.contains("ndjson") || type.contains("jsonl") { return true }
        guard let first = body.firstIndex(where: { $0 != 32 && $0 != 10 && $0 != 13 && $0 != 9 }), body[first] != UInt8(ascii: "[") else { return false }
        // A second non-blank line after the first one's end.
        guard let firstLineEnd = body[first...].firstIndex(of: UInt8(ascii: "\n")) else { return false }
        return body[(firstLineEnd + 1)...].contains { $0 != 32 && $0 != 10 && $0 != 13 && $0 != 9 }
    }
}
