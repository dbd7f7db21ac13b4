import Foundation
import KillSwitchCore

/// Reading HTX's answers. `success` only means "cancellation submitted", so it is `pending`.
extension HTXAdapter {
    /// `{"status":"error","err-code":…,"err-msg":…}` (HTTP 200 as often as not), classified by code.
    func envelope(_ answer: VenueHTTPAnswer, _ json: JSONValue?) -> Classification? {
        guard let json, json.isObject else { return nil }
        if json["status"]?.text == "error" || (json["status"] == nil && json["err-code"] != nil) {
            let code = json["err-code"]?.text ?? ""
            return classifyFailure(code: code, message: json["err-msg"]?.text, orderState: nil, status: answer.status)
        }
        // The v2 endpoints answer `{"code": 200, "message": …}`.
        if let code = json["code"]?.text, code != "200", json["status"] == nil {
            return classifyFailure(code: code, message: json["message"]?.text, orderState: nil, status: answer.status)
        }
        return nil
    }

    func classifyFailure(code: String, message: String?, orderState: JSONValue?, status: Int) -> Classification {
        if code == HTXErrorCodes.orderStateError {
            let cls = HTXErrorCodes.orderStateClass(orderState?.int64)
            let state = orderState?.text.map { " (order-state \($0))" } ?? ""
            return Classification(kind: cls.outcome, code: code, message: (message ?? "") + state)
        }
        // ccxt's mapping: `invalid-parameter` saying "request limit" is a throttle.
        if code == "invalid-parameter", message?.lowercased().contains("request limit") == true {
            return Classification(kind: .rateLimited, code: code, message: message)
        }
        guard !code.isEmpty else { return Classification(kind: .unknown, code: nil, message: message ?? "error without err-code") }
        return Classification.code(code, message: message, table: HTXErrorCodes.table, resyncCodes: HTXErrorCodes.resyncCodes, status: status)
    }

    func classifyBatch(_ answer: VenueHTTPAnswer, batch: CancelBatch) -> BatchVerdict {
        let json = JSONValue.parse(answer.body)
        if let whole = envelope(answer, json) { return .whole(batch, whole) }
        guard answer.isSuccess, let json, json["status"]?.text == "ok", let data = json["data"], data.isObject else {
            return .whole(batch, unreadable(answer, what: "batch cancel"))
        }
        var collector = OutcomeCollector(batch.targets)
        let submitted = Classification(kind: .pending, code: nil, message: "cancellation submitted")
        for id in data["success"]?.arrayValue ?? [] {
            collector.assign(ids: [id.text], submitted)
        }
        for failure in data["failed"]?.arrayValue ?? [] {
            let c = classifyFailure(code: failure["err-code"]?.text ?? "", message: failure["err-msg"]?.text,
                                    orderState: failure["order-state"], status: answer.status)
            collector.assign(ids: [failure["order-id"]?.text, failure["client-order-id"]?.text], c)
        }
        return BatchVerdict(outcomes: collector.finish(), venueCode: nil)
    }

    func classifySimple(_ answer: VenueHTTPAnswer, call: VenueCall) -> SimpleVerdict {
        let json = JSONValue.parse(answer.body)
        if let whole = envelope(answer, json) { return SimpleVerdict(whole) }
        guard answer.isSuccess, let json, json.isObject else { return SimpleVerdict(unreadable(answer, what: "\(call)")) }
        if call.isCancelAll {
            // batchCancelOpenOrders cancels at most `size` per call: go on until `next-id` is -1.
            guard json["status"]?.text == "ok", let data = json["data"] else { return SimpleVerdict(unreadable(answer, what: "cancel-all")) }
            let nextId = data["next-id"]?.int64 ?? -1
            let done = Classification(kind: .pending, code: nil, message: "cancellation submitted (success-count \(data["success-count"]?.text ?? "?"), failed-count \(data["failed-count"]?.text ?? "?"))")
            return SimpleVerdict(done, followUp: nextId == -1 ? nil : call)
        }
        return SimpleVerdict(Classification(kind: .cancelled, code: nil, message: nil))
    }

    func parseOpenOrders(_ answer: VenueHTTPAnswer, symbol: String?, cursor: String?) -> Result<OpenOrdersPage, VenueAnswerError> {
        let json = JSONValue.parse(answer.body)
        if let whole = envelope(answer, json) { return .failure(VenueAnswerError(whole, status: answer.status)) }
        guard answer.isSuccess, let json, json["status"]?.text == "ok", let items = json["data"]?.arrayValue else {
            return .failure(VenueAnswerError(unreadable(answer, what: "open orders"), status: answer.status))
        }
        let orders = items.compactMap { item -> VenueOpenOrder? in
            guard let id = item["id"]?.text, let sym = item["symbol"]?.text ?? symbol else { return nil }
            // `client-order-id` is absent or "" for an order placed without one; `source` says how it was placed.
            let source = item["source"]?.text
            return VenueOpenOrder(symbol: sym, venueOrderId: id, clientOrderId: descriptor.kind.readClientOrderId(item["client-order-id"]?.text)?.clientId,
                                  origin: source?.isEmpty == false ? source : nil,
                                  isCancelling: item["state"]?.text == "canceling" || item["state"]?.text == "cancelling")
        }
        let pageSize = min(options.listingPageSize, 500)
        // A full page asks for the next one from its last id. The same id again means the venue ignored `from`:
        // the transport refuses that listing (what lies past the page was never read), it does not end here.
        return .success(OpenOrdersPage(orders: orders, nextCursor: items.count >= pageSize ? orders.last?.venueOrderId : nil))
    }

    func parseServerTime(_ answer: VenueHTTPAnswer) -> Int64? {
        guard answer.isSuccess, let json = JSONValue.parse(answer.body), json["status"]?.text == "ok" else { return nil }
        return json["data"]?.int64
    }
}
