/// A private request that passed the venue's signature, clock and rate-limit checks.
struct Admitted: Sendable {
    let credentials: AccountCredentials
    /// The venue's usage headers, to send with whatever the request answers.
    let usageHeaders: [(String, String)]
    /// The rate-limit check it passed (nil where the endpoint is not limited).
    var check: RateLimitCheck? = nil

    var apiKey: String { credentials.account.apiKey }
    /// The venue account (uid) the key acts for: orders, cancel-alls and countdowns are per account.
    var owner: String { credentials.owner }
}

/// Either the request may go on, or the venue's refusal to send.
enum Admission: Sendable {
    case admitted(Admitted)
    case refused(VenueReply)
}

/// The outcome of a signature/clock check alone.
enum Authentication: Sendable {
    case accepted(AccountCredentials)
    case refused(VenueReply)
}
