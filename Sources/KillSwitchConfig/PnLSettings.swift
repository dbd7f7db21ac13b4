import KillSwitchCore

/// `[pnl]`: how PnL marks (`POST /v1/pnl`) are taken.
public struct PnLSettings: Sendable, Hashable {
    /// How far ahead of the daemon's wall clock a mark's own `time` may be (`MarkSkew`); a mark dated further
    /// ahead is refused with a 400 naming `time`.
    public var markSkew: Duration

    /// The largest `mark_skew` accepted: a mark dated ahead holds its venue's place against later marks until
    /// its time comes, so the allowance must stay a clock difference, not a window.
    public static let maxMarkSkew: Duration = .seconds(60)

    public init(markSkew: Duration = MarkSkew.defaultAllowance) {
        self.markSkew = markSkew
    }
}
