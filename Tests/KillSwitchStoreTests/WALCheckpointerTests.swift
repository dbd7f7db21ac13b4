import Foundation
import Testing
@testable import KillSwitchStore

/// Checkpoints off the writer: with the writer's own checkpoints off the log keeps every commit, and a
/// `WALCheckpointer` on its own connection moves it all into the database file.
@Suite struct WALCheckpointerTests {
    /// `commits` separate commits of an audit event with 4 KB of detail: at least a page of log each.
    static func fill(_ store: Store, commits: Int) async throws {
        let detail = ["blob": String(repeating: "x", count: 4_000)]
        for _ in 0..<commits { try await store.appendAudit(kind: "fill", incidentId: nil, actor: nil, detail: detail) }
    }

    @Test func withTheWritersCheckpointsOffTheCheckpointerMovesTheWholeLog() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        #expect(try await store.automaticCheckpointThreshold() == Store.automaticCheckpointPages)
        try await store.setAutomaticCheckpoints(false)
        #expect(try await store.automaticCheckpointThreshold() == 0)
        let sizeBefore = try #require(try FileManager.default.attributesOfItem(atPath: dir.file("ks.db"))[.size] as? Int)
        try await Self.fill(store, commits: 1_300)

        let result = try await WALCheckpointer(path: dir.file("ks.db")).checkpoint()
        #expect(result.logFrames > Store.automaticCheckpointPages, "the writer checkpointed by itself: \(result)")
        #expect(result.complete, "\(result)")
        let sizeAfter = try #require(try FileManager.default.attributesOfItem(atPath: dir.file("ks.db"))[.size] as? Int)
        #expect(sizeAfter > sizeBefore + 1_000 * 4_000, "the log's pages are in the database file now")
        // Nothing lost: every row reads back through the writer.
        let reader = try SQLiteConnection(path: dir.file("ks.db"), mode: .readOnly)
        #expect(try reader.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'fill'") == 1_300)
    }

    @Test func withTheWritersCheckpointsOnTheLogNeverHoldsMuchMoreThanTheThreshold() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        try await Self.fill(store, commits: 1_300)
        let result = try await WALCheckpointer(path: dir.file("ks.db")).checkpoint()
        #expect(result.logFrames < Store.automaticCheckpointPages + 50, "SQLite's default checkpointed inside a commit: \(result)")
    }
}
