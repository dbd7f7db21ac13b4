import Foundation
import Testing

/// `killswitch --version` from the built binary: the version in VERSION and the commit embedded at build
/// time, and a CHANGELOG section for that version (a release without its notes is a mistake).
@Suite struct VersionTests {
    /// The checkout this test was compiled from (Tests/KillSwitchDaemonTests/ → the package root).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func versionFile() throws -> String {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("VERSION"), encoding: .utf8)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test func versionPrintsTheVersionAndTheCommit() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: DaemonProcess.binary)
        process.arguments = ["--version"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
        #expect(process.terminationStatus == 0, "output: \(text)")

        let match = try #require(text.wholeMatch(of: /killswitch (\S+) \(commit (\S+)\)/), "output: \(text)")
        #expect(String(match.1) == (try Self.versionFile()))
        let commit = String(match.2)
        if FileManager.default.fileExists(atPath: Self.packageRoot.appendingPathComponent(".git").path) {
            #expect(commit.wholeMatch(of: /[0-9a-f]{7,40}/) != nil, "not a commit: \(commit)")
        } else {
            #expect(commit == "unknown")
        }
    }

    @Test func changelogHasASectionForTheVersion() throws {
        let changelog = try String(contentsOf: Self.packageRoot.appendingPathComponent("CHANGELOG.md"), encoding: .utf8)
        let version = try Self.versionFile()
        // Booleans first, so a failure names the missing heading rather than printing the whole file.
        let hasVersion = changelog.contains("\n## [\(version)]")
        let hasUnreleased = changelog.contains("\n## [Unreleased]")
        #expect(hasVersion, "CHANGELOG.md has no \"## [\(version)]\" section")
        #expect(hasUnreleased, "CHANGELOG.md has no \"## [Unreleased]\" section")
    }
}
