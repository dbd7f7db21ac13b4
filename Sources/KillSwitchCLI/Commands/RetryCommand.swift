import ArgumentParser
import KillSwitchDaemon

/// `killswitch retry --incident N`: asks the daemon to re-drive what an ended incident left open.
struct RetryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Re-drive an ended, still-tripped incident: every order still open in its scope is cancelled again.",
        discussion: "Needs membership of the daemon's operator group ([control] operator_group); recorded under your Unix user."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The incident.") var incident: Int64

    func run() async throws {
        let client = ControlClient(socketPath: try global.socketPath())
        let answer = try await withDaemon {
            try await client.post("/v1/incidents/\(incident)/retry", body: Optional<String>.none, as: RetryAnswer.self)
        }
        CLIOutput.print("incident \(answer.incident) \(answer.state) again")
    }
}
