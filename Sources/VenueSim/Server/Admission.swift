/// A private request that passed the venue's signature, clock and rate-limit checks.
struct Admitted: Sendable {
    let credentials: AccountCredentials
    /// The venue's usage headers, to send with whatever the request answers.
    let usageHeaders: [(String, String)]

    var apiKey: String { credentials.account.apiKey }
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
