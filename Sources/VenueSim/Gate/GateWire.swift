import Foundation

/// Gate's order objects and per-order cancel results, in the field order of gate-doc's models.
enum GateWire {
    static func seconds(_ ms: Int64) -> String { String(ms / 1000) }

    static func secondsWithFraction(_ ms: Int64) -> JSONValue {
        .rawNumber("\(ms / 1000).\(String(format3(ms % 1000)))")
    }

    private static func format3(_ value: Int64) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, 3 - text.count)) + text
    }

    static func userId(_ credentials: AccountCredentials) -> JSONValue {
        if let uid = credentials.account.uid, Int64(uid) != nil { return .rawNumber(uid) }
        return .int(0)
    }

    private static func finishAs(_ order: SimOrder, at now: Int64) -> String {
        switch order.status(at: now) {
        case .open, .cancelling: return "open"
        case .cancelled: return "cancelled"
        case .filled: return "filled"
        }
    }

    /// `text`: the client's own id (`t-…`) when it set one, else the origin label (`web` for a manual order,
    /// `apiv4` spot / `api` futures for an API order without one): labels are shared by every order of that
    /// origin, so they never identify an order.
    static func text(_ order: SimOrder, futures: Bool) -> String {
        order.clientOrderId ?? order.origin ?? (futures ? "api" : "apiv4")
    }

    /// Spot `Order` model.
    static func spotOrder(_ order: SimOrder, now: Int64) -> [(String, JSONValue)] {
        let status: String
        switch order.status(at: now) {
        case .open, .cancelling: status = "open"
        case .cancelled: status = "cancelled"
        case .filled: status = "closed"
        }
        return [
            ("id", .string(order.id)),
            ("text", .string(text(order, futures: false))),
            ("amend_text", .string("-")),
            ("create_time", .string(seconds(order.createdAtMs))),
            ("update_time", .string(seconds(now))),
            ("create_time_ms", .int(order.createdAtMs)),
            ("update_time_ms", .int(now)),
            ("status", .string(status)),
            ("currency_pair", .string(order.symbol)),
            ("type", .string("limit")),
            ("account", .string(order.account ?? "spot")),
            ("side", .string(order.side)),
            ("amount", .string(order.quantity)),
            ("price", .string(order.price)),
            ("time_in_force", .string("gtc")),
            ("iceberg", .string("0")),
            ("left", .string(order.remainingText)),
            ("filled_amount", .string(order.filledText)),
            ("fill_price", .string("0")),
            ("filled_total", .string("0")),
            ("fee", .string("0")),
            ("fee_currency", .string(order.symbol.split(separator: "_").last.map(String.init) ?? "USDT")),
            ("point_fee", .string("0")),
            ("gt_fee", .string("0")),
            ("gt_discount", .bool(false)),
            ("rebated_fee", .string("0")),
            ("rebated_fee_currency", .string("USDT")),
            ("finish_as", .string(finishAs(order, at: now))),
        ]
    }

    /// Futures `FuturesOrder` model; `size` is negative for a sell.
    static func futuresOrder(_ order: SimOrder, now: Int64, user: JSONValue) -> JSONValue {
        let status = order.status(at: now)
        let open = status == .open || status == .cancelling
        let size = order.isSell ? "-" + order.quantity : order.quantity
        var finishTime: JSONValue = .null
        if case .cancelled(let at, _, _, _) = order.state, !open { finishTime = secondsWithFraction(at) }
        if case .filled(let at) = order.state { finishTime = secondsWithFraction(at) }
        // An open order has no finish fields (the official SDK rejects an empty `finish_as`).
        let finish: [(String, JSONValue)] = open ? [] : [("finish_time", finishTime), ("finish_as", .string(finishAs(order, at: now)))]
        return .object([
            ("id", .numericId(order.id)),
            ("user", user),
            ("create_time", secondsWithFraction(order.createdAtMs)),
        ] + finish + [
            ("status", .string(open ? "open" : "finished")),
            ("contract", .string(order.symbol)),
            ("size", .rawNumber(size)),
            ("iceberg", .int(0)),
            ("price", .string(order.price)),
            ("close", .bool(false)),
            ("is_close", .bool(false)),
            ("reduce_only", .bool(false)),
            ("is_reduce_only", .bool(false)),
            ("is_liq", .bool(false)),
            ("tif", .string("gtc")),
            ("left", .rawNumber(order.isSell && order.remainingText != "0" ? "-" + order.remainingText : order.remainingText)),
            ("fill_price", .string("0")),
            ("text", .string(text(order, futures: true))),
            ("tkfr", .string("0.0005")),
            ("mkfr", .string("0.0002")),
            ("refu", .int(0)),
        ])
    }

    /// The label Gate gives a per-order failure (futures put it in `message`, spot in `label`).
    static func failureLabel(_ verdict: CancelVerdict, futures: Bool) -> (label: String, message: String)? {
        switch verdict {
        case .cancelled: return nil
        case .notFound: return ("ORDER_NOT_FOUND", "Order not found")
        case .alreadyFilled, .alreadyCancelled, .cancelling, .filledWhileCancelling:
            return futures ? ("ORDER_FINISHED", "Order already finished") : ("ORDER_CLOSED", "Order already closed")
        case .retryableFailure, .partiallyFilled:
            return futures ? ("TOO_BUSY", "Server busy, please retry") : ("CANCEL_FAIL", "Order cancel failed")
        }
    }
}
