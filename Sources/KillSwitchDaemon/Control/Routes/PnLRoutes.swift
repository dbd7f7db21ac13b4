import Foundation
import Hummingbird
import KillSwitchCore

extension ControlAPI {
    /// `POST /v1/pnl`: one PnL mark; evaluated by the PnL rules, then stored. Refused (400) when its time is too
    /// far ahead (`time: …`) or its currency is not the rule's (`currency: …`).
    func pnl(_ request: Request, context: ControlRequestContext) async throws -> Response {
        let body = try ControlJSON.decode(PnLMarkBody.self, from: try await ControlJSON.body(of: request, limit: maxBodyBytes))
        let mark = try validate(body)
        do {
            try await daemon.recordPnL(mark, caller: context.caller.actor())
        } catch let error as RuleError {
            throw ControlAPIError.badRequest("\(error.field): \(error.description)")
        }
        return ControlJSON.response(PnLAnswer(recorded: true))
    }

    func validate(_ body: PnLMarkBody) throws -> PnLMark {
        guard daemon.configuration.venues.contains(where: { $0.descriptor.id == body.venue }) else {
            throw ControlAPIError.badRequest("venue: unknown venue \"\(body.venue)\"; configured: \(configuredVenues)")
        }
        guard let milliseconds = Timestamp.parse(body.time) else {
            throw ControlAPIError.badRequest("time: \"\(body.time)\" is not an RFC 3339 time such as 2026-11-25T10:15:00.123Z")
        }
        try requireText(body.currency, field: "currency")
        func amount(_ text: String, _ field: String) throws -> DecimalAmount {
            guard let value = DecimalAmount(text) else { throw ControlAPIError.badRequest("\(field): \"\(text)\" is not a decimal number") }
            return value
        }
        return PnLMark(venue: body.venue, time: Date(timeIntervalSince1970: Double(milliseconds) / 1000), currency: body.currency,
                       realizedToday: try amount(body.realizedToday, "realizedToday"), unrealized: try amount(body.unrealized, "unrealized"),
                       equity: try amount(body.equity, "equity"))
    }
}
