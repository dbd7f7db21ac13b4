import Foundation
import KillSwitchCore

extension Store {
    /// Records a PnL mark as received (for the audit, and replayed into the rules at the next start).
    /// The venue must be configured: the caller validates it first so the error names the field. `caller` is
    /// who reported it.
    public func recordPnLMark(_ mark: PnLMark, caller: AuditActor? = nil) throws {
        let now = clock.now()
        try health.recording {
            try db.cached("""
                INSERT INTO pnl_marks (venue_id, mark_time, currency, realized_today, unrealized, equity, received_at, caller, caller_uid)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).bind([.text(mark.venue), .integer(Int64((mark.time.timeIntervalSince1970 * 1000).rounded())), .text(mark.currency),
                          .text(mark.realizedToday.text), .text(mark.unrealized.text), .text(mark.equity.text), .integer(now),
                          SQLiteValue(caller?.name), SQLiteValue(caller?.uid.map(Int64.init))]).run()
        }
    }

    /// The marks whose own time is in `from ... through` (wall-clock ms), in the order they were received —
    /// what a starting daemon replays into its loss-limit and drawdown rules (`from`: the trading day's start;
    /// `through`: now plus the accepted skew, so a mark stored before future-dated marks were refused cannot
    /// come back). A row that no longer reads as a mark (a decimal the parser refuses) is skipped.
    public func pnlMarks(from: Int64, through: Int64) throws -> [PnLMark] {
        let s = try db.prepare("""
            SELECT venue_id, mark_time, currency, realized_today, unrealized, equity FROM pnl_marks
            WHERE mark_time >= ? AND mark_time <= ? ORDER BY id
            """).bind([.integer(from), .integer(through)])
        var marks: [PnLMark] = []
        while try s.step() {
            guard let venue = s.text(0), let currency = s.text(2), let realized = s.text(3).flatMap(DecimalAmount.init),
                  let unrealized = s.text(4).flatMap(DecimalAmount.init), let equity = s.text(5).flatMap(DecimalAmount.init)
            else { continue }
            marks.append(PnLMark(venue: venue, time: Date(timeIntervalSince1970: Double(s.int(1)) / 1000), currency: currency,
                                 realizedToday: realized, unrealized: unrealized, equity: equity))
        }
        return marks
    }

    /// Per venue, the newest mark's own time (wall-clock ms) no later than `through`, whatever its day: how old
    /// each venue's PnL feed was when the daemon stopped (the `stale-feed` rule's `pnl:` feeds).
    public func newestPnLMarkTimes(through: Int64) throws -> [String: Int64] {
        let s = try db.prepare("SELECT venue_id, max(mark_time) FROM pnl_marks WHERE mark_time <= ? GROUP BY venue_id").bind(1, through)
        var out: [String: Int64] = [:]
        while try s.step() { if let venue = s.text(0) { out[venue] = s.int(1) } }
        return out
    }

    /// The number of PnL marks stored for a venue (status and tests).
    public func pnlMarkCount(venueId: String) throws -> Int {
        let s = try db.cached("SELECT count(*) FROM pnl_marks WHERE venue_id = ?").bind(1, venueId)
        return try s.step() ? Int(s.int(0)) : 0
    }
}
