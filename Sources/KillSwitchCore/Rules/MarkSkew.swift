import Foundation

/// How far ahead of the daemon's wall clock a PnL mark's own `time` may be (`[pnl] mark_skew`, 5 s by default).
///
/// The rules keep each venue's newest mark by its own time, and count a mark in the trading day its time falls
/// in: a mark dated ahead would hold its venue's place against every later mark until its time came, and one
/// dated in a later trading day would count for nothing today. A sender's clock a little ahead is normal; more
/// than the allowance is a sender's error, refused with the field named, never stored or counted.
public enum MarkSkew {
    public static let defaultAllowance: Duration = .seconds(5)

    /// Refuses `mark` when its time is more than `allowed` after `now` (exactly `allowed` ahead is accepted;
    /// compared in whole milliseconds, the precision of the API's times).
    public static func check(_ mark: PnLMark, now: Date, allowed: Duration) throws(RuleError) {
        let time = milliseconds(mark.time), wallNow = milliseconds(now)
        guard time - wallNow > allowed.nanoseconds / 1_000_000 else { return }
        throw .markAhead(venue: mark.venue, time: time, now: wallNow, allowed: allowed)
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}
