/// HTX spot order objects and batch-cancel failure items.
enum HTXWire {
    /// An open order. A manual order (placed on the website: `origin`, no client id) carries its origin as
    /// `source` and no `client-order-id` (or "", `SimCompatibility.htxManualOrdersOmitClientOrderId`); an API
    /// order without a client id has `client-order-id` "". A partially filled order is `partial-filled`.
    static func openOrder(_ order: SimOrder, accountId: String?, omitManualClientId: Bool = true) -> JSONValue {
        var fields: [(String, JSONValue)] = [
            ("symbol", .string(order.symbol)),
            ("source", .string(order.origin ?? "api")),
            ("price", .string(order.price)),
            ("created-at", .int(order.createdAtMs)),
            ("amount", .string(order.quantity)),
            ("account-id", accountId.map { .numericId($0) } ?? .null),
            ("filled-cash-amount", .string("0.0")),
        ]
        if !(order.origin != nil && order.clientOrderId == nil && omitManualClientId) {
            fields.append(("client-order-id", .string(order.clientOrderId ?? "")))
        }
        fields += [
            ("filled-amount", .string(order.filled > 0 ? order.filledText : "0.0")),
            ("filled-fees", .string("0.0")),
            ("id", .numericId(order.id)),
            ("state", .string(order.isPartiallyFilled ? "partial-filled" : "submitted")),
            ("type", .string("\(order.side)-limit")),
        ]
        return .object(fields)
    }

    /// HTX order-state of a failed cancel: -1 unknown/closed long ago, 6 filled, 7 canceled, 10 cancelling.
    /// Sent as a string, as on HTX's batchcancel page (other HTX examples use numbers).
    static func failure(_ verdict: CancelVerdict, requestedId: String, byClientId: Bool) -> JSONValue? {
        let orderState = "order-orderstate-error"
        let stateMessage = "Incorrect order state"
        let (code, message, state): (String, String, String)
        switch verdict {
        case .cancelled: return nil
        case .notFound: (code, message, state) = (orderState, stateMessage, "-1")
        case .alreadyCancelled: (code, message, state) = (orderState, stateMessage, "7")
        case .alreadyFilled, .filledWhileCancelling: (code, message, state) = (orderState, stateMessage, "6")
        case .cancelling: (code, message, state) = (orderState, stateMessage, "10")
        case .retryableFailure, .partiallyFilled: (code, message, state) = ("base-system-error", "System error, please try again later", "3")
        }
        let order = verdict.order
        return .object([
            ("err-msg", .string(message)),
            ("order-state", .string(state)),
            ("order-id", .string(byClientId ? (order?.id ?? "") : requestedId)),
            ("err-code", .string(code)),
            ("client-order-id", .string(byClientId ? requestedId : (order?.clientOrderId ?? ""))),
        ])
    }
}
