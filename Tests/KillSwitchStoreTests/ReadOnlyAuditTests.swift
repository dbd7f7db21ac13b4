import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchStore

/// The audit reader must never create a file next to the database (an operator may not be able to write the
/// folder), must see commits still in the write-ahead log, and the writer must leave the log files in place.
/// Tests may run as root, where permission bits do not bind, so these check what gets created instead;
/// `AuditCLIProcessTests` runs the real binary as an unprivileged user.
@Suite struct ReadOnlyAuditTests {
    private func listing(_ directory: TemporaryDirectory) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    private func seededStore(_ directory: TemporaryDirectory) async throws -> Store {
        let store = try Fixtures.store(directory)
        _ = try await store.ingest([Fixtures.event("e1", venueOrderId: "1"), Fixtures.event("e2", venueOrderId: "2")])
        return store
    }

    @Test func theWriterKeepsItsLogFilesAfterClosing() async throws {
        let directory = TemporaryDirectory()
        do { _ = try await seededStore(directory) }
        #expect(try listing(directory) == ["ks.db", "ks.db-shm", "ks.db-wal"])

        // Control: without SQLITE_FCNTL_PERSIST_WAL the last connection to close deletes both files.
        let other = TemporaryDirectory()
        do {
            let plain = try SQLiteConnection(path: other.file("plain.db"))
            _ = try plain.scalarText("PRAGMA journal_mode = WAL")
            try plain.execute("CREATE TABLE t (x); INSERT INTO t VALUES (1)")
        }
        #expect(try listing(other) == ["plain.db"])
    }

    @Test func aReaderAfterTheDaemonStoppedCreatesAndChangesNothing() async throws {
        let directory = TemporaryDirectory()
        do { _ = try await seededStore(directory) }
        let before = try listing(directory)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: directory.file("ks.db")))
        let reader = try StoreReader(path: directory.file("ks.db"))
        #expect(try reader.orders(OrderFilter()).count == 2)
        #expect(try reader.auditIncidents().isEmpty)
        #expect(try listing(directory) == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.file("ks.db"))) == bytes)
    }

    @Test func aReaderOfALoneDatabaseFileCreatesNoLogFiles() async throws {
        let directory = TemporaryDirectory()
        do { _ = try await seededStore(directory) }
        let lone = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: directory.file("ks.db"), toPath: lone.file("copy.db"))
        let reader = try StoreReader(path: lone.file("copy.db"))
        #expect(try reader.orders(OrderFilter()).count == 2)
        #expect(try listing(lone) == ["copy.db"])

        // Control: a plain read-only open of the same file creates -wal and -shm (and would fail in a folder
        // the reader cannot write), which is what the reader avoids.
        let control = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: directory.file("ks.db"), toPath: control.file("copy.db"))
        do {
            let plain = try SQLiteConnection(path: control.file("copy.db"), mode: .readOnly)
            _ = try plain.scalarInt("SELECT count(*) FROM orders")
        }
        #expect(try listing(control).contains("copy.db-shm"))
    }

    @Test func aReaderWhileTheDaemonWritesSeesCommitsStillInTheLog() async throws {
        let directory = TemporaryDirectory()
        let store = try await seededStore(directory)
        let before = try listing(directory)
        let reader = try StoreReader(path: directory.file("ks.db"))
        #expect(try reader.orders(OrderFilter()).count == 2)
        _ = try await store.ingest([Fixtures.event("e3", venueOrderId: "3")])
        // The commit is in the -wal (nothing has checkpointed it): an immutable read of the main file would miss it.
        #expect(try reader.orders(OrderFilter()).count == 3)
        #expect(try StoreReader(path: directory.file("ks.db")).orders(OrderFilter()).count == 3)
        #expect(try listing(directory) == before)
        _ = store
    }

    @Test func theStoreCountsOrdersByStatusAsItChangesThem() async throws {
        let directory = TemporaryDirectory()
        let store = try Fixtures.store(directory)
        _ = try await store.ingest([
            Fixtures.event("e1", venueOrderId: "1", status: .new),
            Fixtures.event("e2", venueOrderId: "2", status: .acknowledged),
            Fixtures.event("e3", venueOrderId: "3", status: .filled),
            Fixtures.event("e4", venueOrderId: "1", status: .partiallyFilled, filled: "2"),
            // Known by client id first, then joined to its venue id: one order, not two.
            Fixtures.event("e5", venueOrderId: nil, clientOrderId: "c9", status: .new),
            Fixtures.event("e6", venueOrderId: "9", status: .acknowledged),
            Fixtures.event("e7", venueOrderId: "9", clientOrderId: "c9", status: .acknowledged),
        ])
        let incident = try await store.createIncident(scope: .everything, ruleId: nil, actor: "t", reason: "t", deadlineAt: nil)
        let intent = try await store.recordIntent(incidentId: incident.id, attempt: 1, venueId: "binance-main", symbol: nil, kind: "batch-cancel", targets: [])
        let two = try #require(try await store.orders(OrderFilter()).first { $0.venueOrderId == "2" })
        try await store.recordAnswer(incidentId: incident.id, intentId: intent, httpStatus: 200, venueCode: nil, rawBody: "", latencyNanoseconds: 1,
                                     transportError: nil, outcomes: [OrderCancelOutcome(target: two.cancelTarget, kind: .cancelled)], attempts: [:])
        let db = try SQLiteConnection(path: directory.file("ks.db"), mode: .readOnly)
        for status in OrderStatus.allCases {
            let counted = try db.scalarInt("SELECT count(*) FROM orders WHERE merged_into IS NULL AND status = '\(status.rawValue)'")
            #expect(store.orderStatusCounts.snapshot[status] == Int(counted ?? -1), "\(status)")
        }
        #expect(store.orderStatusCounts.snapshot[.cancelled] == 1)
        #expect(store.orderStatusCounts.snapshot.values.reduce(0, +) == 4)
        // A reopened store starts from the same counts.
        let reopened = try Fixtures.store(directory)
        #expect(reopened.orderStatusCounts.snapshot == store.orderStatusCounts.snapshot)
    }
}
