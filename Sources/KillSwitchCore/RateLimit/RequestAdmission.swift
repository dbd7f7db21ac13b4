/// The seam between a venue client and the rate limits: the client asks before every request it puts on the
/// wire — each listing page, each cancel-all round, a resend after a clock rejection, a clock sync — so every
/// request the venue counts is counted here too. `VenueRateLimits` implements it.
public protocol RequestAdmission: Sendable {
    /// Waits until one request of `operation` may leave; throws when it must not be sent. The request counts
    /// as in the venue's window until its ticket is settled (the client settles it when the request is over).
    func admit(venueId: String, operation: VenueOperation) async throws -> RateLimitTicket
    /// What an answer said about the venue's limits.
    func venueSaid(_ signal: RateLimitSignal, venueId: String, operation: VenueOperation)
}

/// Why a request was not admitted.
public enum RequestNotAdmitted: Error, Sendable, Hashable, CustomStringConvertible {
    /// Its fan-out was stopped (the scope was re-armed) while it waited for budget.
    case stopped

    public var description: String {
        switch self {
        case .stopped: "not sent: the scope was re-armed"
        }
    }
}

/// Who is asking, for every request a task makes: the priority its budget is taken at, whether it may still
/// leave once granted, and who hears how long it waited. A task-local, so a fan-out or a maintenance loop sets
/// it once and every request under it — however deep in the venue client — carries it.
public struct RequestContext: Sendable {
    public var priority: RatePriority
    /// Asked after the budget is granted, just before the request leaves.
    public var mayStillSend: @Sendable () -> Bool
    /// Told each request's wait for budget (metrics).
    public var waited: @Sendable (_ venueId: String, _ wait: Duration) -> Void

    public init(priority: RatePriority, mayStillSend: @escaping @Sendable () -> Bool = { true },
                waited: @escaping @Sendable (String, Duration) -> Void = { _, _ in }) {
        self.priority = priority
        self.mayStillSend = mayStillSend
        self.waited = waited
    }

    public static let cancel = RequestContext(priority: .cancel)
    public static let background = RequestContext(priority: .background)
    /// Countdown refreshes: served first, from their reserved slice (see `RateLimitPool`).
    public static let refresh = RequestContext(priority: .refresh)

    /// Cancels by default: a request nobody labelled is treated as part of an incident, never held back.
    @TaskLocal public static var current = RequestContext.cancel
}
