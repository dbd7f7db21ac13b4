/// HTX spot error codes (docs/venues.md §2c, §2d). `order-orderstate-error` depends on the failure's
/// `order-state` and is decided in `HTXAdapter.classifyFailure`.
enum HTXErrorCodes {
    static let orderStateError = "order-orderstate-error"

    static let table: [String: VenueCodeClass] = [
        // Order already gone.
        "base-not-found": .alreadyClosed,
        "not-found": .alreadyClosed,
        "order-queryorder-invalid": .alreadyClosed,
        // Ambiguous: re-query before deciding.
        "base-record-invalid": .ambiguous,
        // Retryable.
        "base-system-error": .retryable,
        "timeout": .retryable,
        "gateway-internal-error": .retryable,
        "order-update-error": .retryable,
        // Throttling (ccxt's map and HTX's tables).
        "base-request-exceed-frequency-limit": .rateLimited,
        "rate-too-many-requests": .rateLimited,
        "510": .rateLimited,
        "frequent-invoke": .rateLimited,
        "base-user-request-exceed-limit": .rateLimited,
        "1006": .rateLimited,
        // Cannot be cancelled.
        "cancel-disabled": .rejected,
        "order-user-cancel-forbidden": .rejected,
        "order-fl-cancellation-is-disallowed": .rejected,
        // Auth.
        "api-signature-not-valid": .credentials,
        "api-signature-check-failed": .credentials,
        "login-required": .credentials,
        "403": .credentials,
    ]

    /// HTX has no documented code for a stale `Timestamp` (UNVERIFIED): its signature errors may be one,
    /// so they trigger one clock resync and one retry before counting as `rejected`.
    static let resyncCodes: Set<String> = ["api-signature-not-valid", "api-signature-check-failed"]

    /// `order-state` values of `order-orderstate-error`: -1 closed long ago, 5 partial-canceled,
    /// 6 filled, 7 canceled → already gone; 10 cancelling → in progress.
    static func orderStateClass(_ state: Int64?) -> VenueCodeClass {
        guard let state else { return .ambiguous }
        switch state {
        case -1, 5, 6, 7: return .alreadyClosed
        case 10: return .inProgress
        default: return .ambiguous
        }
    }
}
