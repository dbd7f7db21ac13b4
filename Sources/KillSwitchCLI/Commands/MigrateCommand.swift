import ArgumentParser
import Foundation
import KillSwitchConfig
import KillSwitchDaemon
import KillSwitchStore

/// `killswitch migrate [--dry-run]`: applies the embedded migrations to the database.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (the daemon also applies them at start).",
        discussion: "Refuses a database where an applied migration file has changed or disappeared, naming the file."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Show applied and pending migrations and verify their checksums without changing anything.")
    var dryRun = false

    func run() async throws {
        let configuration = try global.configurationIfPresent()
        let migrations = try Migration.embedded()
        let path = configuration.database
        if dryRun {
            guard FileManager.default.fileExists(atPath: path) else {
                CLIOutput.print("\(path) does not exist; all \(migrations.count) migrations would be applied:")
                for migration in migrations { CLIOutput.print("  pending  \(migration.name)  sha256:\(migration.sha256)") }
                return
            }
            do {
                let plan = try StoreReader(path: path).migrationPlan(migrations)
                for applied in plan.applied { CLIOutput.print("  applied  \(applied.name)  sha256:\(applied.sha256)") }
                for pending in plan.pending { CLIOutput.print("  pending  \(pending.name)  sha256:\(pending.sha256)") }
                CLIOutput.print(plan.pending.isEmpty ? "\(path) is up to date." : "\(plan.pending.count) migration(s) would be applied to \(path).")
            } catch let error as MigrationError {
                CLIOutput.error(error.description)
                throw ExitCode(ExitCodes.failure)
            }
            return
        }
        do {
            let store = try Store(options: StoreOptions(configuration), venues: configuration.venueDescriptors)
            _ = store
            let plan = try StoreReader(path: path).migrationPlan(migrations)
            CLIOutput.print("\(path): \(plan.applied.count) migration(s) applied, schema up to date.")
        } catch let error as MigrationError {
            CLIOutput.error(error.description)
            throw ExitCode(ExitCodes.failure)
        } catch {
            CLIOutput.error("\(path): \(error)")
            throw ExitCode(ExitCodes.failure)
        }
    }
}
