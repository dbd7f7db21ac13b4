import Foundation
import KillSwitchCore
import Logging

/// One human-readable line per event on stderr (`--log-format text`), as swift-log's StreamLogHandler
/// writes it — `TIME LEVEL LABEL : key=value MESSAGE` — plus, when stderr is the journal, the line's
/// syslog priority prefix (`JournalPriority`), which StreamLogHandler cannot add.
struct TextLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]
    /// Prefix each line with its syslog priority (stderr is the journal).
    let journalPriorities: Bool

    init(label: String, journalPriorities: Bool) {
        self.label = label
        self.journalPriorities = journalPriorities
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        FileHandle.standardError.write(Data(line(event).utf8))
    }

    /// The line for `event`, newline included.
    func line(_ event: LogEvent) -> String {
        let merged = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new })
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let text = "\(Timestamp.format(WallClock.system.now())) \(event.level) \(label) :\(fields.isEmpty ? "" : " " + fields) \(event.message)"
        return (journalPriorities ? JournalPriority.prefixed(text, level: event.level) : text) + "\n"
    }
}
