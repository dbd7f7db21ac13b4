import Foundation
import PackagePlugin

/// Embeds the release version (the top-level `VERSION` file) and the git commit the binary was built from,
/// for `killswitch --version`.
///
/// The commit is read by the tool at build time; this plugin only decides when that must happen again. Its
/// inputs are `VERSION`, the checkout's `HEAD` and the file holding the commit `HEAD` names (the loose ref,
/// or `packed-refs` once git has packed it), so a new commit, a checkout or a version bump regenerates the
/// file and nothing else does. `.git` may be a folder (a clone) or a file pointing elsewhere (a worktree);
/// with neither (a tarball) the commit is "unknown".
@main
struct EmbedBuildInfo: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) async throws -> [Command] {
        let package = context.package.directoryURL
        let version = package.appending(path: "VERSION")
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildInfo.swift")
        let gitInputs = GitCheckout(package: package)?.inputFiles ?? []
        return [
            .buildCommand(
                displayName: "Embedding the version and git commit",
                executable: try context.tool(named: "BuildInfoEmbedder").url,
                arguments: [output, package, version].map { $0.path(percentEncoded: false) },
                inputFiles: [version] + gitInputs,
                outputFiles: [output]
            ),
        ]
    }
}

/// The files of a git checkout that change when its commit does.
struct GitCheckout {
    /// This checkout's own git folder (`HEAD` lives here): `.git`, or `.git/worktrees/NAME` for a worktree.
    let gitDirectory: URL
    /// Where branches live: the same folder for a clone, the main clone's `.git` for a worktree.
    let commonDirectory: URL

    init?(package: URL) {
        let dotGit = package.appending(path: ".git")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dotGit.path(percentEncoded: false), isDirectory: &isDirectory) else {
            return nil
        }
        if isDirectory.boolValue {
            gitDirectory = dotGit
        } else {
            // A worktree's `.git` is a file: "gitdir: PATH", PATH absolute or relative to the checkout.
            guard let line = Self.firstLine(dotGit), line.hasPrefix("gitdir:") else { return nil }
            let path = line.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespaces)
            gitDirectory = path.hasPrefix("/") ? URL(fileURLWithPath: path) : package.appending(path: path)
        }
        if let common = Self.firstLine(gitDirectory.appending(path: "commondir")) {
            commonDirectory = common.hasPrefix("/") ? URL(fileURLWithPath: common) : gitDirectory.appending(path: common)
        } else {
            commonDirectory = gitDirectory
        }
    }

    var inputFiles: [URL] {
        let head = gitDirectory.appending(path: "HEAD")
        var files = [head]
        // "ref: refs/heads/main" names a branch; a detached HEAD holds the commit itself.
        if let line = Self.firstLine(head), line.hasPrefix("ref:") {
            let ref = line.dropFirst("ref:".count).trimmingCharacters(in: .whitespaces)
            let loose = commonDirectory.appending(path: ref)
            if FileManager.default.fileExists(atPath: loose.path(percentEncoded: false)) { files.append(loose) }
        }
        let packed = commonDirectory.appending(path: "packed-refs")
        if FileManager.default.fileExists(atPath: packed.path(percentEncoded: false)) { files.append(packed) }
        return files
    }

    private static func firstLine(_ file: URL) -> String? {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        return text.split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) }
    }
}
