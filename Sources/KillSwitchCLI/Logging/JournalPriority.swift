#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

/// The syslog priority prefix journald reads at the start of each line of a service's stderr (`<3>…` is an
/// error): with it `journalctl -p crit -u killswitch` shows an incident that ended incomplete, and
/// `-p warning` every failed armed check, without parsing the text.
enum JournalPriority {
    /// sd-daemon(3)'s `SD_CRIT` … `SD_DEBUG` for each swift-log level.
    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .critical: 2
        case .error: 3
        case .warning: 4
        case .notice: 5
        case .info: 6
        case .debug, .trace: 7
        }
    }

    static func prefix(_ level: Logger.Level) -> String { "<\(priority(level))>" }

    /// `line` (without its newline) with the prefix on it, and on every further line a multi-line message
    /// carries (journald splits at newlines and each piece would otherwise fall back to `info`).
    static func prefixed(_ line: String, level: Logger.Level) -> String {
        let prefix = prefix(level)
        return prefix + line.replacingOccurrences(of: "\n", with: "\n" + prefix)
    }

    /// Whether standard error is connected to the journal: systemd sets `JOURNAL_STREAM=DEVICE:INODE` for a
    /// service whose stderr is the journal, and only a descriptor with that device and inode is it (a child
    /// that inherited the variable but writes elsewhere must not print prefixes into a file or a terminal).
    static func isJournal(descriptor: Int32 = STDERR_FILENO, environment: [String: String]) -> Bool {
        guard let value = environment["JOURNAL_STREAM"] else { return false }
        let parts = value.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return false }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return false }
        return UInt64(info.st_dev) == device && UInt64(info.st_ino) == inode
    }
}
