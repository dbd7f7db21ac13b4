import ArgumentParser
import Foundation
import KillSwitchConfig
import KillSwitchCore

/// `killswitch config check`: validates the configuration and the credentials it names.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with the configuration file.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Validate the configuration; print each error with its key path (exit 78 on errors).",
            discussion: "Also resolves every venue's credentials (environment variables or secrets file) without printing them."
        )

        @OptionGroup var global: GlobalOptions

        @Flag(name: .long, help: "Skip resolving credentials (check the file's shape only).")
        var skipCredentials = false

        func run() async throws {
            var configuration = try global.loadConfiguration()
            if !skipCredentials {
                do {
                    configuration = try ConfigLoader.resolve(configuration).configuration
                } catch {
                    CLIOutput.error(error.description)
                    throw ExitCode(ExitCodes.configuration)
                }
            }
            CLIOutput.print("\(global.configPath): ok — \(configuration.venues.count) venue(s), \(configuration.rules.count) rule(s); database \(configuration.database)")
            for venue in configuration.venues {
                let d = venue.descriptor
                let state = d.enabled ? "uid \(d.uid ?? "(not resolved)")" : "DISABLED (never contacted; a trip covering it ends incomplete)"
                CLIOutput.print("  venue \(d.id): \(d.kind.rawValue) account \(d.account) at \(d.baseURL), \(state)")
            }
            for line in StrategyPlan.describe(configuration) {
                CLIOutput.print("  \(line)")
            }
            for line in CountdownPlan.describe(configuration) {
                CLIOutput.print("  \(line)")
            }
            for rule in configuration.rules {
                CLIOutput.print("  rule \(rule.id): \(rule.typeName), scope \(rule.scope)")
            }
            if let listen = configuration.metrics.listen {
                CLIOutput.print("  metrics: GET /metrics on http://\(listen)")
            }
            // A webhook's URL may carry its secret (Slack, Discord): scheme and host only.
            for target in configuration.notify {
                let signed = target.secretEnv.map { "signed with $\($0)" } ?? "unsigned"
                CLIOutput.print("  webhook \(target.format.rawValue) \(Redaction.url(target.url)): \(target.events.joined(separator: ", ")); \(signed), timeout \(DurationText.format(target.timeout))")
            }
        }
    }
}
