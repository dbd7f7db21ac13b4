import KillSwitchCore

/// Reading Gate's answers: `{label, message}` error envelopes first, then the per-order arrays.
extension GateAdapter {
    /// A Gate error envelope (`{"label": …, "message": …}`), classified by its label.
    func envelope(_ answer: VenueHTTPAnswer, _ json: JSONValue?) -> Classification? {
        guard let json, json.isObject, let label = json["label"]?.text, !label.isEmpty else { return nil }
        return Classification.code(label, message: json["message"]?.text, table: GateErrorLabels.table, status: answer.status)
    }

    func classifyBatch(_ answer: VenueHTTPAnswer, batch: CancelBatch) -> BatchVerdict {
        let json = JSONValue.parse(answer.body)
        if let whole = envelope(answer, json) { return .whole(batch, whole) }
        guard answer.isSuccess, let items = json?.arrayValue else {
            return .whole(batch, unreadable(answer, what: "batch cancel"))
        }
        var collector = OutcomeCollector(batch.targets)
        for item in items {
            let id = item["id"]?.text
            // `text` names the order only when it is the client's own (`t-…`); an origin label is shared.
            collector.assign(ids: [id, descriptor.kind.readClientOrderId(item["text"]?.text)?.clientId], classifyItem(item))
        }
        return BatchVerdict(outcomes: collector.finish(), venueCode: nil)
    }

    /// The orders a cancel-all answer names as cancelled: spot answers each order with `succeeded`; futures answer
    /// the cancelled orders themselves, each `finish_as: "cancelled"`. Anything else is left to the listing.
    func namedCancelled(_ json: JSONValue) -> [String] {
        (json.arrayValue ?? []).compactMap { item in
            let cancelled = isFutures ? item["finish_as"]?.text == "cancelled" : item["succeeded"]?.boolValue == true
            return cancelled ? item["id"]?.text : nil
        }
    }

    /// One element of a batch answer: `succeeded`, then spot's `label`, then a label found in `message`
    /// (futures carry only free text); no recognisable label → unknown, to be verified.
    func classifyItem(_ item: JSONValue) -> Classification {
        let message = item["message"]?.text
        switch item["succeeded"]?.boolValue {
        case true?:
            return Classification(kind: .cancelled, code: nil, message: nil)
        case false?:
            if let label = item["label"]?.text, !label.isEmpty {
                return Classification.code(label, message: message, table: GateErrorLabels.table, status: 200)
            }
            if let message, let label = GateErrorLabels.label(inMessage: message) {
                return Classification.code(label, message: message, table: GateErrorLabels.table, status: 200)
            }
            return Classification(kind: .unknown, code: nil, message: message.map { "unrecognised failure: \($0)" } ?? "failure without a reason")
        case nil:
            return Classification(kind: .unknown, code: nil, message: "answer element without a boolean \"succeeded\"")
        }
    }

    func classifySimple(_ answer: VenueHTTPAnswer, call: VenueCall) -> SimpleVerdict {
        let json = JSONValue.parse(answer.body)
        if let whole = envelope(answer, json) { return SimpleVerdict(whole) }
        guard answer.isSuccess, let json else { return SimpleVerdict(unreadable(answer, what: "\(call)")) }
        // Spot cancel-all answers per order; a failure other than "already gone" is the answer's verdict.
        if let items = json.arrayValue {
            for item in items where item["succeeded"]?.boolValue == false {
                let c = classifyItem(item)
                if c.kind != .alreadyClosed { return SimpleVerdict(c) }
            }
        }
        return SimpleVerdict(Classification(kind: .cancelled, code: nil, message: nil), named: namedCancelled(json))
    }

    func parseOpenOrders(_ answer: VenueHTTPAnswer, symbol: String?, cursor: String?) -> Result<OpenOrdersPage, VenueAnswerError> {
        let json = JSONValue.parse(answer.body)
        if let whole = envelope(answer, json) { return .failure(VenueAnswerError(whole, status: answer.status)) }
        guard answer.isSuccess, let items = json?.arrayValue else {
            return .failure(VenueAnswerError(unreadable(answer, what: "open orders"), status: answer.status))
        }
        let pageSize = options.listingPageSize
        var orders: [VenueOpenOrder] = []
        var fullPage = items.count >= pageSize
        if !isFutures && symbol == nil {
            // `/spot/open_orders`: one entry per pair, each paged on its own: another page is needed while
            // any pair filled this one.
            fullPage = false
            for pair in items {
                let pairOrders = pair["orders"]?.arrayValue ?? []
                if pairOrders.count >= pageSize { fullPage = true }
                orders += pairOrders.compactMap { order(from: $0, symbol: pair["currency_pair"]?.text) }
            }
        } else {
            orders = items.compactMap { order(from: $0, symbol: symbol) }
        }
        var next: String?
        if fullPage {
            if isFutures {
                next = String((Int(cursor ?? "0") ?? 0) + items.count)
            } else {
                next = String((Int(cursor ?? "1") ?? 1) + 1)
            }
        }
        return .success(OpenOrdersPage(orders: orders, nextCursor: next))
    }

    private func order(from item: JSONValue, symbol: String?) -> VenueOpenOrder? {
        guard let id = item["id"]?.text,
              let sym = (isFutures ? item["contract"]?.text : item["currency_pair"]?.text) ?? symbol
        else { return nil }
        // `text` is the client's id only when it starts with `t-`; otherwise it says how the order was placed.
        let text = descriptor.kind.readClientOrderId(item["text"]?.text)
        return VenueOpenOrder(symbol: sym, venueOrderId: id, clientOrderId: text?.clientId, origin: text?.origin)
    }

    /// Gate's gateway receive time (`X-In-Time`, µs) when present, else the body's `server_time` (ms).
    func parseServerTime(_ answer: VenueHTTPAnswer) -> Int64? {
        if let micros = answer.header("X-In-Time").flatMap({ Int64($0) }) { return micros / 1000 }
        guard answer.isSuccess else { return nil }
        return JSONValue.parse(answer.body)?["server_time"]?.int64
    }
}
