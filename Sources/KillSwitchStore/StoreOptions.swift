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

    public init(path: String, synchronous: Synchronous = .normal, busyTimeoutMilliseconds: Int = 5_000) {
        self.path = path
        self.synchronous = synchronous
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
    }
}
