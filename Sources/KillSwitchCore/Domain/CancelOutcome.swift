/// What one order's cancel attempt came to, as classified from the venue's answer.
public enum CancelOutcomeKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// The venue confirms the cancel.
    case cancelled
    /// Filled, already cancelled or not found: terminal, nothing left to do.
    case alreadyClosed
    /// Taken by the venue's cancel-all, whose answer does not name orders: a listing made after the
    /// cancel-all no longer shows it (cancelled, or filled first: the venue does not say which).
    case closedAfterCancelAll
    /// Accepted but not confirmed (HTX "submitted", order-state 10): verify by listing open orders.
    case pending
    /// Throttled: retry after the venue's delay.
    case rateLimited
    /// 5xx, transient venue codes, clock rejection after a resync: retry.
    case retryable
    /// Auth, permission, malformed request: not retryable, a human must act.
    case rejected
    /// Sent, no usable answer: must be verified.
    case unknown

    /// Terminal outcomes need no further action for that order.
    public var isTerminal: Bool {
        switch self {
        case .cancelled, .alreadyClosed, .closedAfterCancelAll, .rejected: true
        case .pending, .rateLimited, .retryable, .unknown: false
        }
    }

    /// Outcomes whose order must be checked against the venue's open-order list before any re-send.
    public var needsVerification: Bool {
        self == .pending || self == .unknown
    }

    public static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
