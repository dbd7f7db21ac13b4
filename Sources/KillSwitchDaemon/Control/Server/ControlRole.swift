/// What a control API caller may do. Ordered: each role may do everything the ones below it may.
///
/// - `anyone`: reached the socket (or holds a TCP token) but is in neither group: may only trip. Tripping is
///   the safe direction, so it is never refused to a caller who can reach the daemon.
/// - `bot`: `[control] socket_group` (TCP: `token_env`): order events, heartbeats, PnL, the gate, status,
///   metrics — what a trading system needs.
/// - `operator`: `[control] operator_group` (TCP: `operator_token_env`): re-arm (forced or not) and retry —
///   lifting a trip is a person's decision, never a bot's.
enum ControlRole: Int, Sendable, Comparable, CustomStringConvertible {
    case anyone = 0
    case bot = 1
    case `operator` = 2

    static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    var description: String {
        switch self {
        case .anyone: "anyone"
        case .bot: "bot"
        case .operator: "operator"
        }
    }
}
