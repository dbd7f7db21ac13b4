/// How the store opens its SQLite file.
public struct StoreOptions: Sendable, Hashable {
    /// `PRAGMA synchronous`. In WAL mode NORMAL syncs at checkpoints, not at every commit: a commit is
    /// atomic and consistent but may be lost on power failure (not on a process crash). FULL syncs the
    /// WAL on every commit. See the README.
    public enum Synchronous: String, Sendable, Hashable, CaseIterable {
        case off = "OFF"
        case normal = "NORMAL"
        case full = "FULL"
        case extra = "EXTRA"
    }

    public var path: String
    public var synchronous: Synchronous
    /// How long a writer waits for a lock held by another connection before failing.
    public var busyTimeoutMilliseconds: Int
    /// The journal the store falls back to while the database cannot write (nil: none).
    public var journalPath: String?
    /// Bytes allocated to the journal at start.
    public var journalSize: Int

    public static let defaultJournalSize = 64 << 20

    /// No journal unless asked for (the daemon always asks: `[store] journal`, default beside the database).
    public init(path: String, synchronous: Synchronous = .normal, busyTimeoutMilliseconds: Int = 5_000, journalPath: String? = nil,
                journalSize: Int = defaultJournalSize) {
        self.path = path
        self.synchronous = synchronous
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.journalPath = journalPath
        self.journalSize = journalSize
    }
}
