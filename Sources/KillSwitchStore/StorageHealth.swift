import KillSwitchCore
import Synchronization

/// Whether the store can write, as its write paths find out: every write transaction (and the heartbeat and
/// PnL inserts, which write outside one) reports success or failure here. Read by the metrics
/// (`killswitch_storage_ok`) and whatever else must say "the disk is failing" loudly.
///
/// Deliberately the last write's result, not a probe: a probe write would itself grow the database, and the
/// daemon writes often enough (heartbeats, order events) that the last result is fresh while it matters.
public final class StorageHealth: Sendable {
    public struct Snapshot: Sendable, Hashable {
        /// False from a failed write until the next write succeeds.
        public var ok: Bool
        /// Failed writes since the store was opened.
        public var failures: Int
        /// Wall-clock ms of the last failure, and what it was (SQLite's message: never a secret).
        public var lastFailureAt: Int64?
        public var lastError: String?
        /// The journal the store falls back to (nil: none configured).
        public var journalPath: String?
        public var journalAvailable = false
        public var journalSizeBytes = 0
        public var journalUsedBytes = 0
        /// Records waiting in the journal to be merged into the database.
        public var journalRecords = 0
        /// Writes that reached neither the database nor the journal (their cancels were sent anyway).
        public var unrecorded = 0

        public init(ok: Bool = true, failures: Int = 0, lastFailureAt: Int64? = nil, lastError: String? = nil) {
            self.ok = ok
            self.failures = failures
            self.lastFailureAt = lastFailureAt
            self.lastError = lastError
        }
    }

    private let state = Mutex(Snapshot())
    private let clock: WallClock
    /// Told of each change between ok and failing (the daemon logs, publishes and notifies it).
    private let observer = Mutex<(@Sendable (Snapshot) -> Void)?>(nil)

    public func observe(_ handler: @escaping @Sendable (Snapshot) -> Void) {
        observer.withLock { $0 = handler }
    }

    public init(clock: WallClock = .system) {
        self.clock = clock
    }

    public var snapshot: Snapshot { state.withLock { $0 } }

    func journalOpened(path: String, size: Int, records: Int, bytes: Int) {
        state.withLock {
            $0.journalPath = path
            $0.journalAvailable = true
            $0.journalSizeBytes = size
            $0.journalRecords = records
            $0.journalUsedBytes = bytes
        }
    }

    func journalUnavailable(_ reason: String) {
        state.withLock {
            $0.journalAvailable = false
            $0.lastError = reason
        }
    }

    func journalChanged(records: Int, bytes: Int) {
        state.withLock {
            $0.journalRecords = records
            $0.journalUsedBytes = bytes
        }
    }

    func countUnrecorded() {
        state.withLock { $0.unrecorded += 1 }
    }

    func succeeded() {
        let changed: Snapshot? = state.withLock {
            guard !$0.ok else { return nil }
            $0.ok = true
            return $0
        }
        if let changed { observer.withLock { $0 }?(changed) }
    }

    func failed(_ error: any Error) {
        let now = clock.now()
        let changed: Snapshot? = state.withLock {
            let wasOK = $0.ok
            $0.ok = false
            $0.failures += 1
            $0.lastFailureAt = now
            $0.lastError = "\(error)"
            return wasOK ? $0 : nil
        }
        if let changed { observer.withLock { $0 }?(changed) }
    }

    /// Runs one write and records how it went. A constraint refusal (a foreign key, an append-only trigger)
    /// says the data was wrong, not that the disk is: it changes nothing here — "storage failing" pages
    /// someone, and must mean the database cannot be written.
    func recording<T>(_ body: () throws -> T) throws -> T {
        do {
            let result = try body()
            succeeded()
            return result
        } catch let error as SQLiteError where error.isConstraint {
            throw error
        } catch {
            failed(error)
            throw error
        }
    }
}
