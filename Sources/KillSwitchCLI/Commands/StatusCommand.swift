import ArgumentParser
import Foundation
import KillSwitchDaemon

/// `killswitch status`: the daemon's view: tripped scopes, incidents, rules, venue health.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show what is armed and tripped, incidents in progress, every rule against its threshold, and venue health."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table
        case json
    }

    @OptionGroup var global: GlobalOptions

    @Option(help: "table (default) or json.") var format: Format = .table

    func run() async throws {
        let client = ControlClient(socketPath: try global.socketPath())
        let report = try await withDaemon { try await client.get("/v1/status", as: StatusReport.self) }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            CLIOutput.print(String(decoding: try encoder.encode(report), as: UTF8.self))
        case .table:
            CLIOutput.print(StatusRendering.table(report))
        }
    }
}
