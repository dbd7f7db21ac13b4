import Foundation
import KillSwitchStore
import Logging
import ServiceLifecycle

/// While the journal holds records (the database could not write), tries every few seconds whether the
/// database writes again, and merges the journal into it when it does. Every write the daemon makes tries the
/// merge too; this covers the quiet times.
struct JournalMergeService: Service {
    let store: Store
    let logger: Logger
    var every: Duration = .seconds(5)

    func run() async throws {
        let clock = ContinuousClock()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await clock.sleep(for: every) } catch { return }
                if store.health.snapshot.journalRecords > 0 { await store.mergeJournal() }
            }
        }
    }
}
