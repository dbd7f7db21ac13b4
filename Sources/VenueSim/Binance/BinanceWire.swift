/// Binance COIN-M order objects and exchangeInfo.
enum BinanceWire {
    static func pair(of symbol: String) -> String {
        symbol.split(separator: "_").first.map(String.init) ?? symbol
    }

    static func order(_ order: SimOrder, status: String, now: Int64, includeTime: Bool) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("avgPrice", .string("0.0")),
            ("clientOrderId", .string(order.clientOrderId ?? "")),
            ("cumQty", .string("0")),
            ("cumBase", .string("0")),
            ("executedQty", .string(order.filledText)),
            ("orderId", .numericId(order.id)),
            ("origQty", .string(order.quantity)),
            ("origType", .string("LIMIT")),
            ("price", .string(order.price)),
            ("reduceOnly", .bool(false)),
            ("side", .string(order.side.uppercased())),
            ("positionSide", .string("BOTH")),
            ("status", .string(status)),
            ("stopPrice", .string("0")),
            ("closePosition", .bool(false)),
            ("symbol", .string(order.symbol)),
            ("pair", .string(pair(of: order.symbol))),
        ]
        if includeTime { fields.append(("time", .int(order.createdAtMs))) }
        fields += [
            ("timeInForce", .string("GTC")),
            ("type", .string("LIMIT")),
            ("workingType", .string("CONTRACT_PRICE")),
            ("priceProtect", .bool(false)),
            ("priceMatch", .string("NONE")),
            ("selfTradePreventionMode", .string("NONE")),
            ("updateTime", .int(includeTime ? order.createdAtMs : now)),
        ]
        return .object(fields)
    }

    /// Per-element answer of a batch cancel: the cancelled order, or `{"code", "msg"}`.
    static func batchElement(_ verdict: CancelVerdict, now: Int64) -> JSONValue {
        switch verdict {
        case .cancelled(let order): return self.order(order, status: "CANCELED", now: now, includeTime: false)
        case .retryableFailure, .partiallyFilled: return BinanceErrors.retryableOrderFailure()
        case .notFound, .alreadyCancelled, .alreadyFilled, .cancelling, .filledWhileCancelling: return BinanceErrors.unknownOrder()
        }
    }

    static func exchangeInfo(now: Int64, weightRule: RateLimitRule?, symbols: [String]) -> JSONValue {
        let weightLimit = Int64(weightRule?.capacity ?? RateLimitRule.binanceRequestWeight.capacity)
        let windowMs = weightRule?.windowMs ?? RateLimitRule.binanceRequestWeight.windowMs
        let (interval, intervalNum): (String, Int64) =
            windowMs % 60_000 == 0 ? ("MINUTE", windowMs / 60_000) : ("SECOND", max(1, windowMs / 1000))
        return .object([
            ("timezone", .string("UTC")),
            ("serverTime", .int(now)),
            ("rateLimits", .array([
                .object([
                    ("rateLimitType", .string("REQUEST_WEIGHT")), ("interval", .string(interval)),
                    ("intervalNum", .int(intervalNum)), ("limit", .int(weightLimit)),
                ]),
                .object([
                    ("rateLimitType", .string("ORDERS")), ("interval", .string("MINUTE")),
                    ("intervalNum", .int(1)), ("limit", .int(1200)),
                ]),
            ])),
            ("exchangeFilters", .array([])),
            ("symbols", .array(symbols.map { symbol in
                .object([
                    ("symbol", .string(symbol)),
                    ("pair", .string(pair(of: symbol))),
                    ("contractType", .string(symbol.hasSuffix("_PERP") ? "PERPETUAL" : "CURRENT_QUARTER")),
                    ("contractStatus", .string("TRADING")),
                    ("baseAsset", .string(String(pair(of: symbol).dropLast(3)))),
                    ("quoteAsset", .string("USD")),
                    ("marginAsset", .string(String(pair(of: symbol).dropLast(3)))),
                ])
            })),
        ])
    }
}
