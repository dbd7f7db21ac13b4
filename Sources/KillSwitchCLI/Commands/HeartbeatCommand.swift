import ArgumentParser
import Foundation
import KillSwitchDaemon

/// `killswitch heartbeat SOURCE`: tells the daemon SOURCE is alive, once or every N seconds.
struct HeartbeatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heartbeat",
        abstract: "Send a heartbeat for SOURCE (once, or every --every seconds until stopped).",
        discussion: "With --every, a failed heartbeat is reported on stderr and the loop goes on: stopping would let the rule trip."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The heartbeat source a `heartbeat` rule watches.") var source: String
    @Option(help: "Repeat every SECONDS (e.g. 1, 0.5).") var every: Double?

    func validate() throws {
        if source.isEmpty { throw ValidationError("SOURCE must not be empty") }
        if let every, !(every > 0) { throw ValidationError("--every must be a positive number of seconds") }
    }

    func run() async throws {
        let client = ControlClient(socketPath: try global.socketPath())
        let path = "/v1/heartbeats/" + (source.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? source)
        guard let every else {
            let answer = try await withDaemon { try await client.post(path, body: Optional<String>.none, as: HeartbeatAnswer.self) }
            report(answer)
            return
        }
        var warned = false
        while !Task.isCancelled {
            do {
                let answer = try await client.post(path, body: Optional<String>.none, as: HeartbeatAnswer.self)
                if !warned { report(answer); warned = true }
            } catch {
                CLIOutput.error("heartbeat \(source): \(error)")
            }
            try await Task.sleep(for: .milliseconds(Int(every * 1000)))
        }
    }

    private func report(_ answer: HeartbeatAnswer) {
        if answer.watched {
            CLIOutput.print("heartbeat \(answer.source) recorded")
        } else {
            CLIOutput.error("warning: no heartbeat rule watches \(answer.source) (recorded anyway)")
        }
    }
}
