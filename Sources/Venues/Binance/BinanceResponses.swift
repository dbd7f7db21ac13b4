import KillSwitchCore

/// Reading Binance's answers: `{code,msg}` envelopes by code; batch answers element by element in
/// request order (an order object, or `{code,msg}`).
extension BinanceAdapter {
    func envelope(_ answer: VenueHTTPAnswer, _ json: JSONValue?) -> Classification? {
        guard let json, json.isObject, let code = json["code"]?.text, code != "200" else { return nil }
        return Classification.code(code, message: json["msg"]?.text, table: BinanceErrorCodes.table, status: answer.status)
    }

    func classifyBatch(_ answer: VenueHTTPAnswer, batch: CancelBatch) -> BatchVerdict {
        let json = JSONValue.parse(answer.body)
        if let whole = envelope(answer, json) { return .whole(batch, whole) }
        guard answer.isSuccess, let items = json?.arrayValue else {
            return .whole(batch, unreadable(answer, what: "batch cancel"))
        }
        var collector = OutcomeCollector(batch.targets)
        let positional = items.count == batch.targets.count
        for (index, item) in items.enumerated() {
            if let code = item["code"]?.text, item["orderId"] == nil {
                let c = Classification.code(code, message: item["msg"]?.text, table: BinanceErrorCodes.table, status: 200)
                if positional { collector.assign(at: index, c) }
                continue
            }
            let status = item["status"]?.text
            let c = status == "CANCELED"
                ? Classification(kind: .cancelled, code: nil, message: nil)
                : Classification(kind: .unknown, code: nil, message: "order status \(status ?? "missing") in a cancel answer")
            if !collector.assign(ids: [item["orderId"]?.text, item["clientOrderId"]?.text, item["origClientOrderId"]?.text], c), positional {
                collector.assign(at: index, Classification(kind: .unknown, code: nil, message: "answer element for another order id"))
            }
        }
        return BatchVerdict(outcomes: collector.finish(), venueCode: nil)
    }

    func classifySimple(_ answer: VenueHTTPAnswer, call: VenueCall) -> SimpleVerdict {
        let json = JSONValue.parse(answer.body)
        if let whole = envelope(answer, json) { return SimpleVerdict(whole) }
        guard answer.isSuccess, json != nil else { return SimpleVerdict(unreadable(answer, what: "\(call)")) }
        return SimpleVerdict(Classification(kind: .cancelled, code: nil, message: nil))
    }

    func parseOpenOrders(_ answer: VenueHTTPAnswer, symbol: String?, cursor: String?) -> Result<OpenOrdersPage, VenueAnswerError> {
        let json = JSONValue.parse(answer.body)
        if let whole = envelope(answer, json) { return .failure(VenueAnswerError(whole, status: answer.status)) }
        guard answer.isSuccess, let items = json?.arrayValue else {
            return .failure(VenueAnswerError(unreadable(answer, what: "open orders"), status: answer.status))
        }
        let orders = items.compactMap { item -> VenueOpenOrder? in
            guard let id = item["orderId"]?.text, let sym = item["symbol"]?.text ?? symbol else { return nil }
            // Binance fills `clientOrderId` for every order (its own unique id when the client set none).
            return VenueOpenOrder(symbol: sym, venueOrderId: id, clientOrderId: descriptor.kind.readClientOrderId(item["clientOrderId"]?.text)?.clientId)
        }
        return .success(OpenOrdersPage(orders: orders, nextCursor: nil))
    }

    func parseServerTime(_ answer: VenueHTTPAnswer) -> Int64? {
        guard answer.isSuccess else { return nil }
        return JSONValue.parse(answer.body)?["serverTime"]?.int64
    }
}
