import ArgumentParser
import Foundation
import KillSwitchCore
import KillSwitchDaemon

/// `killswitch trip`: latches a scope and starts cancelling everything in it.
struct TripCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trip",
        abstract: "Trip a scope (everything when no --venue/--account/--symbol): latch it and cancel every open order in it.",
        discussion: "With --follow, prints a line per venue (orders by outcome, outstanding, request rate) until the incident ends, then the summary; exits 0 when it ends flat (or shadow, in shadow mode), 1 when incomplete."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Why (recorded with the incident).") var reason: String
    @Option(help: "Only this venue id.") var venue: String?
    @Option(help: "Only this account.") var account: String?
    @Option(help: "Only this symbol (the venue's own spelling).") var symbol: String?
    @Flag(help: "Show live progress per venue until the incident ends.") var follow = false
    @Option(help: .hidden) var pollMilliseconds: Int = 500

    func validate() throws {
        if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--reason must not be empty") }
    }

    func run() async throws {
        let client = ControlClient(socketPath: try global.socketPath())
        let scope = Scope(venue: venue, account: account, symbol: symbol)
        let answer = try await withDaemon {
            try await client.post("/v1/trip", body: TripBody(reason: reason, scope: scope), as: TripAnswer.self)
        }
        CLIOutput.print("tripped \(scope): incident \(answer.incident) (by \(answer.actor))")
        if let warning = answer.warning { CLIOutput.error("warning: \(warning)") }
        guard follow else { return }
        let ended = try await withDaemon { try await IncidentFollower(client: client, incident: answer.incident, poll: .milliseconds(pollMilliseconds)).run() }
        // A shadow trip did what shadow mode does (plan and record); anything else short of flat is a failure.
        if ended.state != "flat" && ended.state != "shadow" { throw ExitCode(ExitCodes.failure) }
    }
}
