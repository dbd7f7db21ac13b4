/// What happened to one order a cancel named, before the venue turns it into its own wire answer.
enum CancelVerdict: Sendable {
    case cancelled(SimOrder)
    case notFound
    case alreadyCancelled(SimOrder)
    case alreadyFilled(SimOrder)
    /// HTX: a cancel was already accepted and the order is still listed (order-state 10).
    case cancelling(SimOrder)
    /// `partialFailureRate` fault: the venue failed this id with a retryable code; the order stays open.
    case retryableFailure(SimOrder)
    /// `fillWhileCancellingRate` fault: the order filled first; the venue gives its already-filled answer.
    case filledWhileCancelling(SimOrder)
    /// `partialFillRate` / `partialFillOrderIds` fault: part of the order filled while the cancel was in
    /// flight and the cancel did not take; the order stays open, partially filled, and the venue fails this
    /// id with its retryable per-order answer.
    case partiallyFilled(SimOrder)

    var order: SimOrder? {
        switch self {
        case .notFound: return nil
        case .cancelled(let order), .alreadyCancelled(let order), .alreadyFilled(let order), .cancelling(let order),
            .retryableFailure(let order), .filledWhileCancelling(let order), .partiallyFilled(let order):
            return order
        }
    }

    var injectedFault: String? {
        switch self {
        case .retryableFailure: return "partial-failure"
        case .filledWhileCancelling: return "fill-while-cancelling"
        case .partiallyFilled: return "partial-fill"
        default: return nil
        }
    }
}

/// How to carry out the cancels of one request.
struct CancelContext: Sendable {
    let now: Int64
    let requestId: Int
    /// 0 everywhere but HTX, whose orders leave the open list this much later.
    let removalDelayMs: Int64
    let faults: ActiveFaults
}
