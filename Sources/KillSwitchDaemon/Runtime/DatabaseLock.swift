#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// One daemon per database: an exclusive, non-blocking `flock` on `<database>.lock`, held for the
/// process's lifetime (the kernel drops it when the process dies, kill -9 included, so it is never stale).
///
/// A separate file rather than the database itself: SQLite locks the database with POSIX record locks,
/// which a process loses on *every* descriptor of that file as soon as it closes any one of them — a
/// second descriptor on the database is exactly what SQLite's documentation warns against. The lock file
/// also carries the holder's pid, so the refusal can name it.
public final class DatabaseLock: Sendable {
    public let database: String
    public let lockPath: String
    private let descriptor: Int32

    public enum LockError: Error, Sendable, CustomStringConvertible {
        /// Another process holds the lock (its pid when the file says).
        case held(database: String, lockPath: String, pid: Int32?)
        case cannotOpen(lockPath: String, reason: String)

        public var description: String {
            switch self {
            case let .held(database, lockPath, pid):
                "another killswitch daemon\(pid.map { " (pid \($0))" } ?? "") is already running on database \(database) (it holds \(lockPath)); stop it first, or give this one its own --db"
            case let .cannotOpen(lockPath, reason):
                "cannot open the lock file \(lockPath): \(reason)"
            }
        }
    }

    public static func lockPath(database: String) -> String { database + ".lock" }

    /// Takes the lock or throws at once (never waits).
    public init(database: String) throws(LockError) {
        let lockPath = Self.lockPath(database: database)
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard fd >= 0 else { throw .cannotOpen(lockPath: lockPath, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let failure = errno
            let holder = Self.readPid(fd)
            close(fd)
            if failure == EWOULDBLOCK { throw .held(database: database, lockPath: lockPath, pid: holder) }
            throw .cannotOpen(lockPath: lockPath, reason: String(cString: strerror(failure)))
        }
        // Ours now: record our pid for the next one who asks.
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.database = database
        self.lockPath = lockPath
        self.descriptor = fd
    }

    /// Releases the lock (the process exiting does the same).
    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    private static func readPid(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
