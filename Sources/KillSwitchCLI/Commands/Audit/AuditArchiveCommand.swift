import ArgumentParser
import Foundation
import KillSwitchCore
import KillSwitchStore

/// `killswitch audit archive --before DATE --to FILE`: moves incidents that ended and were re-armed before
/// DATE, with all their rows, to a new SQLite file that `killswitch audit … --db FILE` reads. Writes the live
/// database (it works beside a running daemon: one short transaction).
struct AuditArchiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "archive",
        abstract: "Move ended, re-armed incidents older than a date to a separate database file.",
        discussion: "Incidents still latched or running are never moved. The archive has the live database's schema: read it with `killswitch audit incidents --db FILE`."
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: "Incidents that ended before this time: RFC 3339 (2026-11-01T00:00:00Z) or a date (2026-11-01, UTC midnight).") var before: String
    @Option(help: "The archive file to create (never overwritten).") var to: String

    func run() async throws {
        guard let cutoff = Timestamp.parse(before) ?? Timestamp.parse(before + "T00:00:00Z") else {
            CLIOutput.error("before: \"\(before)\" is not an RFC 3339 time or a date such as 2026-11-01")
            throw ExitCode(ExitCodes.usage)
        }
        let path = try global.databasePath()
        do {
            let store = try Store(options: StoreOptions(path: path), venues: [])
            let summary = try await store.archive(before: cutoff, to: to)
            CLIOutput.print("""
                archived \(summary.incidents) incident(s) that ended before \(Timestamp.format(cutoff)) to \(summary.file):
                  \(summary.intents) requests, \(summary.responses) answers, \(summary.outcomes) outcomes, \(summary.auditEvents) audit events (\(summary.orders) orders copied, kept live too)
                  sha256 \(summary.sha256)
                """)
        } catch {
            CLIOutput.error("\(error)")
            throw ExitCode(ExitCodes.failure)
        }
    }
}
