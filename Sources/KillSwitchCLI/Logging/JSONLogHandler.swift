import Foundation
import KillSwitchCore
import Logging

/// One JSON object per line on stderr, for log shippers (`--log-format json`); when stderr is the journal,
/// each line starts with its syslog priority prefix (`JournalPriority`), which journald strips and keeps as
/// the entry's priority.
struct JSONLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    /// Prefix each line with its syslog priority (stderr is the journal).
    let journalPriorities: Bool

    init(label: String, journalPriorities: Bool = false) {
        self.label = label
        self.journalPriorities = journalPriorities
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard let line = line(event) else { return }
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// The line for `event`, newline included (JSON escapes any newline in the message, so one line it is).
    func line(_ event: LogEvent) -> String? {
        var object: [String: String] = [
            "time": Timestamp.format(WallClock.system.now()), "level": event.level.rawValue, "label": label, "message": "\(event.message)",
        ]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) { object[key] = "\(value)" }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return nil }
        let json = String(decoding: data, as: UTF8.self)
        return (journalPriorities ? JournalPriority.prefix(event.level) + json : json) + "\n"
    }
}
