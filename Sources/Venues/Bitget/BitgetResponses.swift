import KillSwitchCore

/// Reading Bitget's answers: `code` other than `00000` is a whole-request error, classified by code.
extension BitgetAdapter {
    func envelope(_ answer: VenueHTTPAnswer, _ json: JSONValue?) -> Classification? {
        guard let json, json.isObject, let code = json["code"]?.text, code != BitgetErrorCodes.success else { return nil }
        return Classification.code(code, message: json["msg"]?.text, table: BitgetErrorCodes.table, status: answer.status)
    }

    func classifyBatch(_ answer: VenueHTTPAnswer, batch: CancelBatch) -> BatchVerdict {
        let json = JSONValue.parse(answer.body)
        if let whole = envelope(answer, json) { return .whole(batch, whole) }
        guard answer.isSuccess, let json, json["code"]?.text == BitgetErrorCodes.success, let data = json["data"], data.isObject else {
            return .whole(batch, unreadable(answer, what: "batch cancel"))
        }
        var collector = OutcomeCollector(batch.targets)
        for item in data["successList"]?.arrayValue ?? [] {
            collector.assign(ids: [item["orderId"]?.text, item["clientOid"]?.text], Classification(kind: .cancelled, code: nil, message: nil))
        }
        for item in data["failureList"]?.arrayValue ?? [] {
            collector.assign(ids: [item["orderId"]?.text, item["clientOid"]?.text], classifyFailure(item))
        }
        return BatchVerdict(outcomes: collector.finish(), venueCode: nil)
    }

    /// A `failureList` item: its `errorCode` through the table, else an unmistakable "not exist" text,
    /// else unknown (per-item codes are UNVERIFIED).
    func classifyFailure(_ item: JSONValue) -> Classification {
        let message = item["errorMsg"]?.text
        if let code = item["errorCode"]?.text, !code.isEmpty {
            return Classification.code(code, message: message, table: BitgetErrorCodes.table, status: 200)
        }
        if let cls = BitgetErrorCodes.classOfMessage(message) {
            return Classification(kind: cls.outcome, code: nil, message: message)
        }
        return Classification(kind: .unknown, code: nil, message: message.map { "unrecognised failure: \($0)" } ?? "failure without a reason")
    }

    func classifySimple(_ answer: VenueHTTPAnswer, call: VenueCall) -> SimpleVerdict {
        let json = JSONValue.parse(answer.body)
        if let whole = envelope(answer, json) { return SimpleVerdict(whole) }
        guard answer.isSuccess, let json, json["code"]?.text == BitgetErrorCodes.success else {
            return SimpleVerdict(unreadable(answer, what: "\(call)"))
        }
        for item in json["data"]?["failureList"]?.arrayValue ?? [] {
            let c = classifyFailure(item)
            if c.kind != .alreadyClosed { return SimpleVerdict(c) }
        }
        // `successList`: the orders the venue cancelled (their outcome is its word, not a listing's inference).
        let named = (json["data"]?["successList"]?.arrayValue ?? []).compactMap { $0["orderId"]?.text }
        return SimpleVerdict(Classification(kind: .cancelled, code: nil, message: nil), named: named)
    }

    func parseOpenOrders(_ answer: VenueHTTPAnswer, symbol: String?, cursor: String?) -> Result<OpenOrdersPage, VenueAnswerError> {
        let json = JSONValue.parse(answer.body)
        if let whole = envelope(answer, json) { return .failure(VenueAnswerError(whole, status: answer.status)) }
        guard answer.isSuccess, let json, json["code"]?.text == BitgetErrorCodes.success, let data = json["data"] else {
            return .failure(VenueAnswerError(unreadable(answer, what: "open orders"), status: answer.status))
        }
        // `entrustedList` is null when nothing is open.
        let items = data["entrustedList"]?.arrayValue ?? []
        let orders = items.compactMap { item -> VenueOpenOrder? in
            guard let id = item["orderId"]?.text, let sym = item["symbol"]?.text ?? symbol else { return nil }
            // `enterPointSource` (WEB, API, SYS, ANDROID, IOS) says how the order was placed.
            let source = item["enterPointSource"]?.text
            return VenueOpenOrder(symbol: sym, venueOrderId: id, clientOrderId: descriptor.kind.readClientOrderId(item["clientOid"]?.text)?.clientId,
                                  origin: source?.isEmpty == false ? source : nil)
        }
        let endId = data["endId"]?.text
        // A full page has more after it; a venue answering the same `endId` again has not moved on, and the
        // transport refuses that rather than take the listing as complete.
        let next = items.count >= min(options.listingPageSize, 100) && endId != nil ? endId : nil
        return .success(OpenOrdersPage(orders: orders, nextCursor: next))
    }

    func parseServerTime(_ answer: VenueHTTPAnswer) -> Int64? {
        guard answer.isSuccess, let json = JSONValue.parse(answer.body) else { return nil }
        return json["data"]?["serverTime"]?.int64
    }
}
