import Crypto
import Foundation
import KillSwitchCore

/// Retention, so the disk does not fill in the first place: incidents that ended and were re-armed before a
/// date move, with every row of theirs (intents, answers, outcomes, audit events) and a copy of the orders,
/// venues and contracts they refer to, into a separate SQLite file with the same schema — which
/// `killswitch audit … --db FILE` reads like the live one. One transaction: the rows are copied, counted, and
/// only then deleted; a failure leaves the live database as it was.
public struct ArchiveSummary: Sendable, Hashable, Codable {
    public var incidents: Int
    public var intents: Int
    public var responses: Int
    public var outcomes: Int
    public var auditEvents: Int
    public var orders: Int
    public var file: String
    /// SHA-256 of the archive file as written, to check it later.
    public var sha256: String
}

public enum ArchiveError: Error, CustomStringConvertible {
    case targetExists(String)
    case mismatch(String)

    public var description: String {
        switch self {
        case .targetExists(let path): "to: \(path) exists; an archive is never written over"
        case .mismatch(let what): "archive check failed, nothing moved: \(what)"
        }
    }
}

extension Store {
    /// Moves incidents that ended and were re-armed before `before` (wall-clock ms) to a new file at `target`.
    public func archive(before: Int64, to target: String) throws -> ArchiveSummary {
        guard !FileManager.default.fileExists(atPath: target) else { throw ArchiveError.targetExists(target) }
        // The archive gets the same schema through the same migrations.
        _ = try Store(options: StoreOptions(path: target), venues: [])
        let quoted = target.replacingOccurrences(of: "'", with: "''")
        try db.execute("ATTACH DATABASE '\(quoted)' AS archive")
        var attached = true
        defer { if attached { try? db.execute("DETACH DATABASE archive") } }
        let selected = "SELECT id FROM main.incidents WHERE ended_at IS NOT NULL AND ended_at < \(before) AND rearmed_at IS NOT NULL AND state != 'running'"
        var summary = ArchiveSummary(incidents: 0, intents: 0, responses: 0, outcomes: 0, auditEvents: 0, orders: 0, file: target, sha256: "")
        try write { db in
            try db.execute("INSERT INTO main.archiving (started_at) VALUES (\(clock.now()))")
            func copy(_ table: String, where clause: String) throws -> Int {
                try db.execute("INSERT OR IGNORE INTO archive.\(table) SELECT * FROM main.\(table) WHERE \(clause)")
                return Int(try db.scalarInt("SELECT changes()") ?? 0)
            }
            // What the moved rows refer to is copied, and stays in the live database too.
            _ = try copy("venues", where: "1")
            _ = try copy("accounts", where: "1")
            _ = try copy("contracts", where: "1")
            let orderIds = "SELECT order_id FROM main.cancel_outcomes WHERE incident_id IN (\(selected))"
            summary.orders = try copy("orders", where: "id IN (\(orderIds))")
            summary.incidents = try copy("incidents", where: "id IN (\(selected))")
            summary.intents = try copy("cancel_intents", where: "incident_id IN (\(selected))")
            summary.responses = try copy("cancel_responses", where: "intent_id IN (SELECT id FROM main.cancel_intents WHERE incident_id IN (\(selected)))")
            summary.outcomes = try copy("cancel_outcomes", where: "incident_id IN (\(selected))")
            summary.auditEvents = try copy("audit_events", where: "incident_id IN (\(selected))")
            func delete(_ table: String, where clause: String) throws -> Int {
                try db.execute("DELETE FROM main.\(table) WHERE \(clause)")
                return Int(try db.scalarInt("SELECT changes()") ?? 0)
            }
            let deleted = [
                try delete("cancel_outcomes", where: "incident_id IN (\(selected))"),
                try delete("cancel_responses", where: "intent_id IN (SELECT id FROM main.cancel_intents WHERE incident_id IN (\(selected)))"),
                try delete("cancel_intents", where: "incident_id IN (\(selected))"),
                try delete("audit_events", where: "incident_id IN (\(selected))"),
                try delete("incidents", where: "id IN (\(selected))"),
            ]
            let copied = [summary.outcomes, summary.responses, summary.intents, summary.auditEvents, summary.incidents]
            guard deleted == copied else {
                throw ArchiveError.mismatch("copied (outcomes, responses, intents, audit events, incidents) \(copied), deleted \(deleted)")
            }
            try db.execute("DELETE FROM main.archiving")
        }
        // Everything into the archive's main file (its write-ahead log emptied), so the file alone is the archive.
        try db.execute("PRAGMA archive.wal_checkpoint(TRUNCATE)")
        try db.execute("DETACH DATABASE archive")
        attached = false
        let reader = try SQLiteConnection(path: target, mode: .readOnly)
        guard try reader.scalarText("PRAGMA integrity_check") == "ok" else { throw ArchiveError.mismatch("the archive file fails SQLite's integrity check") }
        summary.sha256 = SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: target))).map { String(format: "%02x", $0) }.joined()
        return summary
    }
}
