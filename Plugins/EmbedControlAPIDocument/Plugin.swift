import Foundation
import PackagePlugin

/// Embeds `docs/control-api.yaml` into the target at build time, so `GET /v1/openapi.yaml` serves the document
/// the binary was built with wherever the binary is installed (no resource bundle to find at run time, as with
/// the migrations). The file in `docs/` stays the source of truth; a test checks the served bytes equal it.
@main
struct EmbedControlAPIDocument: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let document = context.package.directoryURL.appending(path: "docs").appending(path: "control-api.yaml")
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedControlAPIDocument.swift")
        return [
            .buildCommand(
                displayName: "Embedding docs/control-api.yaml",
                executable: try context.tool(named: "DocumentEmbedder").url,
                arguments: [output.path(percentEncoded: false), "embeddedControlAPIDocumentBase64", document.path(percentEncoded: false)],
                inputFiles: [document],
                outputFiles: [output]
            ),
        ]
    }
}
