import Foundation
import PackagePlugin

/// Embeds the package's top-level `Migrations/*.sql` files into the target at build time, so the
/// binary finds its migrations when run from anywhere. The files in `Migrations/` stay the source of truth.
@main
struct EmbedMigrations: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let migrations = context.package.directoryURL.appending(path: "Migrations")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: migrations.path(percentEncoded: false))) ?? []
        let inputs = names.filter { $0.hasSuffix(".sql") }.sorted().map { migrations.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedMigrations.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) migrations",
                executable: try context.tool(named: "MigrationEmbedder").url,
                arguments: [output.path(percentEncoded: false)] + inputs.map { $0.path(percentEncoded: false) },
                inputFiles: inputs,
                outputFiles: [output]
            ),
        ]
    }
}
