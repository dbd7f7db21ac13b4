import Foundation
import Logging
import Testing
import KillSwitchCore
@testable import KillSwitchDaemon
import KillSwitchStore

/// The daemon's checkpoint service on a manual clock: while it runs the writer leaves checkpoints to it and
/// each tick moves the log into the database file; once it stops the writer checkpoints again.
@Suite struct CheckpointServiceTests {
    @Test func eachTickMovesTheLogAndAStopHandsCheckpointsBackToTheWriter() async throws {
        let directory = NSTemporaryDirectory() + "ks-ckpt-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/ks.db"
        let store = try Store(options: StoreOptions(path: path), venues: [])
        let clock = ManualClock()
        let service = CheckpointService(store: store, logger: Logger(label: "test"), every: .seconds(1), clock: clock)
        let running = Task { try await service.run() }

        await clock.waitForSleepers(count: 1)
        #expect(try await store.automaticCheckpointThreshold() == 0, "the writer leaves checkpoints to the service")
        func databaseBytes() throws -> Int { try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0 }
        let detail = ["blob": String(repeating: "x", count: 4_000)]
        for _ in 0..<300 { try await store.appendAudit(kind: "fill", incidentId: nil, actor: nil, detail: detail) }
        let before = try databaseBytes()

        clock.advance(by: .seconds(1))
        await clock.waitForSleepers(count: 1)   // the loop went round: its checkpoint is done
        #expect(try databaseBytes() > before + 300 * 4_000, "the tick's checkpoint moved the log into the file")

        running.cancel()
        _ = try? await running.value
        #expect(try await store.automaticCheckpointThreshold() == Store.automaticCheckpointPages, "stopped: the writer checkpoints again")
    }
}
