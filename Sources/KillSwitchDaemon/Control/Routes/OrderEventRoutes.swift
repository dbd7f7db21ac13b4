import Foundation
import Hummingbird
import KillSwitchCore
import KillSwitchStore

extension ControlAPI {
    /// `POST /v1/orders/events`: a JSON array (or one object) or NDJSON; answers per event. A batch is one
    /// transaction, acknowledged after commit; bad events are rejected by index while good ones are stored.
    /// Each stored event records who sent it.
    func orderEvents(_ request: Request, context: ControlRequestContext) async throws -> Response {
        let data = try await ControlJSON.body(of: request, limit: maxBodyBytes)
        guard !data.allSatisfy({ $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }) else {
            throw ControlAPIError.badRequest("body: empty; expected a JSON array of events or NDJSON (one event per line)")
        }
        let validator = OrderEventValidator(venues: daemon.configuration.venueDescriptors)
        let events: [Result<OrderEvent, EventError>]
        if Self.isNDJSON(request: request, body: data) {
            events = validator.validate(ndjson: data)
        } else {
            do {
                events = try validator.validate(json: data)
            } catch {
                throw ControlAPIError.badRequest("body: \(error.description)")
            }
        }
        let results = try await daemon.ingest(events, caller: context.caller.actor())
        return ControlJSON.response(OrderEventResults(results: results.enumerated().map { index, result in
            // Validation's warnings travel on the accepted event (a moved field, never a dropped one).
            let warnings = index < events.count ? ((try? events[index].get())?.warnings ?? []) : []
            let warning = warnings.isEmpty ? nil : warnings.map(\.description).joined(separator: "; ")
            switch result {
            case .stored(let orderId, let status, _):
                return OrderEventResults.Result(index: index, result: "stored", orderId: orderId, orderStatus: status.rawValue, warning: warning)
            case .duplicate(let orderId):
                return OrderEventResults.Result(index: index, result: "duplicate", orderId: orderId, warning: warning)
            case .rejected(let error):
                return OrderEventResults.Result(index: index, result: "rejected", error: error.description)
            }
        }))
    }

    /// NDJSON when the content type says so, or when the body is not one JSON array and has several lines.
    static func isNDJSON(request: Request, body: Data) -> Bool {
        if let type = request.headers[.contentType]?.lowercased(), type.contains("ndjson") || type.contains("jsonl") { return true }
        guard let first = body.first(where: { $0 != 32 && $0 != 10 && $0 != 13 && $0 != 9 }), first != UInt8(ascii: "[") else { return false }
        let lines = body.split(separator: UInt8(ascii: "\n")).filter { !$0.allSatisfy { $0 == 32 || $0 == 13 || $0 == 9 } }
        return lines.count > 1
    }
}
