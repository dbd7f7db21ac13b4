#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import Testing
@testable import KillSwitchCLI

/// Syslog priority prefixes on the daemon's log lines, only when stderr is the journal.
@Suite struct JournalPriorityTests {
    static func event(_ level: Logger.Level, _ message: String) -> LogEvent {
        LogEvent(level: level, message: "\(message)", metadata: ["incident": "7"], source: nil, file: #fileID, function: #function, line: #line)
    }

    @Test func eachLevelHasItsSyslogPriority() {
        let expected: [(Logger.Level, String)] = [(.critical, "<2>"), (.error, "<3>"), (.warning, "<4>"), (.notice, "<5>"), (.info, "<6>"),
                                                  (.debug, "<7>"), (.trace, "<7>")]
        for (level, prefix) in expected { #expect(JournalPriority.prefix(level) == prefix, "\(level)") }
    }

    @Test func bothFormatsPrefixOnlyForTheJournal() throws {
        let critical = Self.event(.critical, "incident 7 ended incomplete")
        let text = TextLogHandler(label: "killswitch", journalPriorities: true).line(critical)
        #expect(text.hasPrefix("<2>") && text.hasSuffix(" incident=7 incident 7 ended incomplete\n"))
        let plain = TextLogHandler(label: "killswitch", journalPriorities: false).line(critical)
        #expect(!plain.hasPrefix("<") && plain.hasSuffix(" critical killswitch : incident=7 incident 7 ended incomplete\n"))
        let json = try #require(JSONLogHandler(label: "killswitch", journalPriorities: true).line(Self.event(.warning, "armed check failed")))
        #expect(json.hasPrefix("<4>{") && json.hasSuffix("}\n"))
        let object = try JSONSerialization.jsonObject(with: Data(json.dropFirst(3).utf8)) as? [String: String]
        #expect(object?["level"] == "warning" && object?["message"] == "armed check failed" && object?["incident"] == "7")
        let jsonPlain = try #require(JSONLogHandler(label: "killswitch", journalPriorities: false).line(Self.event(.warning, "x")))
        #expect(jsonPlain.hasPrefix("{"))
    }

    /// journald splits a line at each newline: every piece of a multi-line message keeps the priority.
    @Test func everyLineOfAMultiLineMessageKeepsThePriority() {
        let line = TextLogHandler(label: "killswitch", journalPriorities: true).line(Self.event(.critical, "left open:\nbinance 3\nhtx 1"))
        let pieces = line.dropLast().split(separator: "\n")
        #expect(pieces.count == 3 && pieces.allSatisfy { $0.hasPrefix("<2>") })
    }

    /// JOURNAL_STREAM names the device and inode of the journal's stream; only a descriptor that is that
    /// stream counts (a child that inherited the variable but writes to a file or terminal gets no prefixes).
    @Test func theJournalIsRecognisedByDeviceAndInode() throws {
        let path = NSTemporaryDirectory() + "ks-journal-" + UUID().uuidString
        let descriptor = open(path, O_CREAT | O_WRONLY, 0o600)
        #expect(descriptor >= 0)
        defer {
            close(descriptor)
            unlink(path)
        }
        var info = stat()
        #expect(fstat(descriptor, &info) == 0)
        #expect(JournalPriority.isJournal(descriptor: descriptor, environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino)"]))
        #expect(!JournalPriority.isJournal(descriptor: descriptor, environment: ["JOURNAL_STREAM": "\(info.st_dev):\(info.st_ino + 1)"]))
        #expect(!JournalPriority.isJournal(descriptor: descriptor, environment: [:]))
        #expect(!JournalPriority.isJournal(descriptor: descriptor, environment: ["JOURNAL_STREAM": "yes"]))
    }
}
