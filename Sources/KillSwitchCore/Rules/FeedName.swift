/// What a `stale-feed` rule watches, written `KIND:NAME`:
///
/// - `pnl:<venue id>` — that venue account's PnL marks (`POST /v1/pnl` with `venue` = the id). The feed is as old
///   as its newest mark's own `time`: a sender that keeps posting old marks is as stale as one that stopped.
/// - `heartbeat:<source>` — heartbeats from `source` (`POST /v1/heartbeats/<source>`, `killswitch heartbeat`), as
///   old as the time since the daemon received the last one (a client's time is never used).
///
/// A name, not a rule: several rules may watch one feed, and a feed nobody sends yet is still a valid name (it is
/// stale once `max_age` passes without data).
public struct FeedName: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case pnl
        case heartbeat
    }

    public var kind: Kind
    public var name: String

    public init(kind: Kind, name: String) {
        self.kind = kind
        self.name = name
    }

    public static func pnl(venue: String) -> FeedName { FeedName(kind: .pnl, name: venue) }
    public static func heartbeat(source: String) -> FeedName { FeedName(kind: .heartbeat, name: source) }

    /// Reads `KIND:NAME`; nil when the kind is unknown or the name empty.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = Kind(rawValue: String(text[..<colon])) else { return nil }
        let name = String(text[text.index(after: colon)...])
        guard !name.isEmpty else { return nil }
        self.init(kind: kind, name: name)
    }

    /// The accepted forms, for error messages.
    public static let forms = "pnl:<venue id> or heartbeat:<source>"

    public var description: String { "\(kind.rawValue):\(name)" }
}
