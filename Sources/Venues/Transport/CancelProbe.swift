import KillSwitchCore

/// Proof that a key may cancel, without cancelling anything: one batch cancel naming an order that cannot
/// exist. A key allowed to cancel gets the venue's "not found" for it (Gate `ORDER_NOT_FOUND`, HTX
/// `order-orderstate-error` with state -1 or `base-not-found`, Bitget `43001`, Binance `-2011`); a read-only
/// key gets the venue's permission error (Gate `READ_ONLY`, HTX "API key has no permission", Bitget `40014`,
/// Binance `-2015`) and fails. A listing alone proves only that the key reads: venues give read-only keys the
/// same listing as trading keys.
///
/// All five kinds answer a cancel of an unknown id "not found" with no side effect (docs/venues.md error tables),
/// so every kind is probed this way; none needs its key-permission endpoint read instead. Which exact code each
/// live venue gives for an id that never existed is UNVERIFIED: any of the kind's "already gone" codes passes.
public enum CancelProbe {
    /// The largest signed 64-bit number: every venue here issues 64-bit integer order ids, counting up from far
    /// below it, so no order of any account has this id now or for the foreseeable future; Binance requires
    /// its ids to be numbers (LIST<LONG>), which rules out a made-up client id.
    public static let orderId = "9223372036854775807"

    /// The symbol the probe names where the venue wants one (per request for Bitget and Binance, per order
    /// for Gate spot): the first of the venue's configured `contracts`, else a market every such venue lists.
    /// A symbol the venue does not know would be refused as malformed and fail the probe, saying so.
    public static func symbol(for descriptor: VenueDescriptor) -> String {
        if let configured = descriptor.contracts.keys.sorted().first { return configured }
        switch descriptor.kind {
        case .gateFutures: return descriptor.market.settle?.lowercased() == "btc" ? "BTC_USD" : "BTC_USDT"
        case .gateSpot: return "BTC_USDT"
        case .htxSpot: return "btcusdt"
        case .bitgetMix:
            switch descriptor.market.productType?.uppercased() {
            case "COIN-FUTURES": return "BTCUSD"
            case "USDC-FUTURES": return "BTCPERP"
            default: return "BTCUSDT"
            }
        case .binanceCoinM: return "BTCUSD_PERP"
        }
    }

    /// The one-order batch the probe sends.
    public static func batch(for descriptor: VenueDescriptor) -> CancelBatch {
        let symbol = symbol(for: descriptor)
        let target = CancelTarget(orderId: 0, symbol: symbol, venueOrderId: orderId, clientOrderId: nil)
        return CancelBatch(venueId: descriptor.id, symbol: descriptor.kind.batchIsPerSymbol ? symbol : nil, targets: [target], byClientId: false)
    }

    /// What the venue's answer proves. `detail` starts with "can cancel" or "cannot cancel" (the venue refused
    /// the key a cancel), or says why nothing was proven (an answer that was neither).
    public static func verdict(_ result: CancelRequestResult) -> ArmedCheckResult {
        guard let outcome = result.outcomes.first else {
            return ArmedCheckResult(ok: false, failure: .unknown, detail: "cancel permission not proven: no answer for the probe order")
        }
        let code = (outcome.venueCode ?? result.venueCode).map { " \($0)" } ?? ""
        let status = result.httpStatus.map { " (HTTP \($0))" } ?? ""
        let message = (outcome.message ?? result.transportError).map { ": \($0)" } ?? ""
        switch outcome.kind {
        case .alreadyClosed:
            return ArmedCheckResult(ok: true, failure: nil, detail: "can cancel: a cancel of an order that cannot exist was answered 'not found'\(code)")
        case .cancelled, .pending, .closedAfterCancelAll:
            // Accepted: the key may cancel (an id that cannot exist was never anyone's order).
            return ArmedCheckResult(ok: true, failure: nil, detail: "can cancel: the venue accepted a cancel of an order that cannot exist\(code)")
        case .rejected:
            return ArmedCheckResult(ok: false, failure: .rejected, detail: "cannot cancel: the venue refused the key a cancel\(code)\(status)\(message)")
        case .rateLimited, .retryable, .unknown:
            return ArmedCheckResult(ok: false, failure: outcome.kind,
                                    detail: "cancel permission not proven: \(outcome.kind.rawValue)\(code)\(status)\(message)")
        }
    }
}
