import ArgumentParser
import KillSwitchCore
import KillSwitchDaemon

/// `killswitch rearm`: lifts a trip, by incident or by exact scope.
struct RearmCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rearm",
        abstract: "Re-arm a tripped scope: by --incident N, or every incident latching exactly the scope given by --venue/--account/--symbol.",
        discussion: "Refused while the rule that tripped still holds, unless --force (audited). Needs membership of the daemon's operator group ([control] operator_group): the daemon records who you are from the socket (your Unix user and uid); --operator is only a note beside it."
    )

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("operator"), help: "A note recorded beside your Unix user, e.g. who asked for the re-arm.") var operatorName: String?
    @Option(help: "Why (recorded).") var reason: String
    @Option(help: "The incident to re-arm.") var incident: Int64?
    @Option(help: "Scope: venue id.") var venue: String?
    @Option(help: "Scope: account.") var account: String?
    @Option(help: "Scope: symbol.") var symbol: String?
    @Flag(help: "Re-arm even though the rule's condition still holds (audited).") var force = false

    func validate() throws {
        if incident != nil, venue != nil || account != nil || symbol != nil {
            throw ValidationError("give --incident or a scope (--venue/--account/--symbol), not both")
        }
    }

    func run() async throws {
        let client = ControlClient(socketPath: try global.socketPath())
        let body = incident != nil
            ? RearmBody(operator: operatorName, reason: reason, incident: incident, force: force)
            : RearmBody(operator: operatorName, reason: reason, scope: Scope(venue: venue, account: account, symbol: symbol), force: force)
        let answer = try await withDaemon { try await client.post("/v1/rearm", body: body, as: RearmAnswer.self) }
        CLIOutput.print("re-armed incident\(answer.rearmed.count == 1 ? "" : "s") \(answer.rearmed.map(String.init).joined(separator: ", "))\(answer.forced ? " (forced)" : "")")
    }
}
