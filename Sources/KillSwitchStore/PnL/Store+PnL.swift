import Foundation
import KillSwitchCore

extension Store {
    /// Records a PnL mark as received (for the audit; the rules keep their own latest marks in memory).
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

    /// The number of PnL marks stored for a venue (status and tests).
    public func pnlMarkCount(venueId: String) throws -> Int {
        let s = try db.cached("SELECT count(*) FROM pnl_marks WHERE venue_id = ?").bind(1, venueId)
        return try s.step() ? Int(s.int(0)) : 0
    }
}
