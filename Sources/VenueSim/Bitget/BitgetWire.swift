/// Bitget order objects and successList/failureList answers.
enum BitgetWire {
    static func marginCoin(of order: SimOrder) -> String {
        switch order.productType {
        case "USDC-FUTURES": return "USDC"
        case "COIN-FUTURES": return order.symbol.uppercased().hasPrefix("ETH") ? "ETH" : "BTC"
        default: return "USDT"
        }
    }

    static func pendingOrder(_ order: SimOrder) -> JSONValue {
        .object([
            ("symbol", .string(order.symbol)),
            ("size", .string(order.quantity)),
            ("orderId", .string(order.id)),
            ("clientOid", .string(order.clientOrderId ?? "")),
            ("baseVolume", .string(order.filledText)),
            ("fee", .string("0")),
            ("price", .string(order.price)),
            ("priceAvg", .string("")),
            ("status", .string(order.isPartiallyFilled ? "partially_filled" : "live")),
            ("side", .string(order.side)),
            ("force", .string("gtc")),
            ("totalProfits", .string("0")),
            ("posSide", .string("net")),
            ("marginCoin", .string(marginCoin(of: order))),
            ("quoteVolume", .string("0")),
            ("leverage", .string("20")),
            ("marginMode", .string("crossed")),
            ("reduceOnly", .string("NO")),
            ("enterPointSource", .string(order.origin?.uppercased() ?? "API")),
            ("tradeSide", .string("open")),
            ("posMode", .string("one_way_mode")),
            ("orderType", .string("limit")),
            ("orderSource", .string("normal")),
            ("cTime", .string(String(order.createdAtMs))),
            ("uTime", .string(String(order.createdAtMs))),
        ])
    }

    /// Per-item failure: 43001 for an order that is gone or unknown, 40015 (retryable) for an injected failure.
    static func failure(_ verdict: CancelVerdict) -> (code: String, message: String)? {
        switch verdict {
        case .cancelled: return nil
        case .notFound, .alreadyCancelled, .alreadyFilled, .cancelling, .filledWhileCancelling:
            return ("43001", "The order does not exist")
        case .retryableFailure, .partiallyFilled: return ("40015", "System abnormal, please try again later")
        }
    }

    static func cancelReply(_ outcomes: [(String?, String?, CancelVerdict)], now: Int64) -> VenueReply {
        var successList: [JSONValue] = []
        var failureList: [JSONValue] = []
        for (requestedId, requestedClientOid, verdict) in outcomes {
            let orderId = verdict.order?.id ?? requestedId ?? ""
            let clientOid = verdict.order?.clientOrderId ?? requestedClientOid ?? ""
            if let failure = failure(verdict) {
                failureList.append(.object([
                    ("orderId", .string(orderId)), ("clientOid", .string(clientOid)),
                    ("errorMsg", .string(failure.message)), ("errorCode", .string(failure.code)),
                ]))
            } else {
                successList.append(.object([("orderId", .string(orderId)), ("clientOid", .string(clientOid))]))
            }
        }
        return VenueReply(
            status: 200,
            json: BitgetErrors.success(.object([("successList", .array(successList)), ("failureList", .array(failureList))]), now: now),
            verdict: outcomes.lazy.compactMap { $0.2.injectedFault }.first.map { "fault:\($0)" } ?? "ok",
            orderIds: outcomes.compactMap { $0.2.order?.id }
        )
    }
}
