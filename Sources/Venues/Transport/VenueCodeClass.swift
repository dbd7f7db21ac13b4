import KillSwitchCore

/// What a venue error code means for a cancel, before it becomes an outcome. Each venue's table in code
/// maps its documented codes (docs/venues.md) to one of these.
enum VenueCodeClass: Sendable, Hashable {
    /// Filled, already cancelled, not found: terminal.
    case alreadyClosed
    /// A cancel is under way (HTX order-state 10): verify by listing.
    case inProgress
    case rateLimited
    case retryable
    /// The venue rejected the timestamp: resync the clock and retry once; then it counts as retryable.
    case clock
    /// Malformed, cannot be cancelled: a human must act.
    case rejected
    /// The venue refuses our key or account (auth, permission, IP): rejected, and sending the orders again one by
    /// one cannot help.
    case credentials
    /// The venue's answer does not say whether it happened (HTX `base-record-invalid`, Binance -1006/-1007).
    case ambiguous

    var outcome: CancelOutcomeKind {
        switch self {
        case .alreadyClosed: .alreadyClosed
        case .inProgress: .pending
        case .rateLimited: .rateLimited
        case .retryable, .clock: .retryable
        case .rejected, .credentials: .rejected
        case .ambiguous: .unknown
        }
    }
}

/// A whole-request or per-order classification with the venue's own code and text kept for the audit.
struct Classification: Sendable, Hashable {
    var kind: CancelOutcomeKind
    var code: String?
    var message: String?
    /// The answer is a clock rejection (or, for HTX, a signature error that may be one): resync and retry once.
    var resyncClock: Bool = false
    /// The venue refuses our key or account (not this request or this order).
    var refusesCredentials: Bool = false

    /// Classifies a venue code through its table; codes not in the table are `unknown` (a 429/418 status
    /// still says "throttled" whatever the code).
    static func code(_ code: String, message: String?, table: [String: VenueCodeClass], resyncCodes: Set<String> = [], status: Int) -> Classification {
        if let cls = table[code] {
            return Classification(kind: cls.outcome, code: code, message: message, resyncClock: cls == .clock || resyncCodes.contains(code),
                                  refusesCredentials: cls == .credentials || status == 401 || status == 403)
        }
        if status == 429 || status == 418 {
            return Classification(kind: .rateLimited, code: code, message: message)
        }
        return Classification(kind: .unknown, code: code, message: message)
    }

    /// An answer with no usable venue code, judged by its HTTP status alone: 429/418 throttled, 408 and
    /// 5xx retryable (a repeated cancel is harmless: the venue answers "already gone"), 401 rejected,
    /// anything else (including 2xx with a body we cannot read) unknown.
    static func httpStatus(_ status: Int, message: String? = nil) -> Classification {
        let kind: CancelOutcomeKind
        switch status {
        case 429, 418: kind = .rateLimited
        case 408, 500..<600: kind = .retryable
        case 401: kind = .rejected
        default: kind = .unknown
        }
        return Classification(kind: kind, code: nil, message: message ?? "HTTP \(status)", refusesCredentials: status == 401 || status == 403)
    }
}

/// What a parser made of one batch-cancel answer.
struct BatchVerdict: Sendable {
    var outcomes: [OrderCancelOutcome]
    /// The whole-request code, when the answer was an error envelope.
    var venueCode: String?
    var resyncClock: Bool = false
    var refusesCredentials: Bool = false

    /// Every target gets the same classification (whole-request errors, unreadable answers).
    static func whole(_ batch: CancelBatch, _ c: Classification) -> BatchVerdict {
        BatchVerdict(
            outcomes: batch.targets.map { OrderCancelOutcome(target: $0, kind: c.kind, venueCode: c.code, message: c.message) },
            venueCode: c.code,
            resyncClock: c.resyncClock,
            refusesCredentials: c.refusesCredentials
        )
    }
}

/// What a parser made of a cancel-all or countdown answer.
struct SimpleVerdict: Sendable {
    var classification: Classification
    /// A follow-up call the client must make to finish (HTX batchCancelOpenOrders until `next-id` is -1).
    var followUp: VenueCall?
    /// Venue order ids the answer names as cancelled (`CancelAllResult.named`).
    var named: [String]

    init(_ classification: Classification, followUp: VenueCall? = nil, named: [String] = []) {
        self.classification = classification
        self.followUp = followUp
        self.named = named
    }
}

/// One page of a listing, or the classified failure.
struct OpenOrdersPage: Sendable {
    var orders: [VenueOpenOrder]
    var nextCursor: String?
}

/// A listing or time call that the venue refused or answered unreadably. Never carries a secret.
public struct VenueAnswerError: Error, Sendable, Hashable, CustomStringConvertible {
    public var kind: CancelOutcomeKind
    public var httpStatus: Int?
    public var venueCode: String?
    public var message: String
    var resyncClock: Bool = false

    public var description: String {
        var parts = ["\(kind.rawValue)"]
        if let httpStatus { parts.append("HTTP \(httpStatus)") }
        if let venueCode { parts.append("code \(venueCode)") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }

    init(_ c: Classification, status: Int?) {
        kind = c.kind
        httpStatus = status
        venueCode = c.code
        message = c.message ?? "no message"
        resyncClock = c.resyncClock
    }
}
