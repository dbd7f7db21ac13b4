import Foundation
import Testing

/// The shipped unit, etc/killswitch.service: keys in the sections systemd reads them from (a key in the
/// wrong section is ignored with a warning, as StartLimitIntervalSec in [Service] was), and, when
/// systemd-analyze is installed, `systemd-analyze verify` on a copy whose ExecStart is the built binary.
@Suite struct SystemdUnitTests {
    static var root: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent() }
    static var unitPath: String { root.appendingPathComponent("etc/killswitch.service").path }

    /// Section → [(key, value)] in file order; comments and blank lines skipped.
    static func sections(_ text: String) -> [String: [(key: String, value: String)]] {
        var out: [String: [(key: String, value: String)]] = [:]
        var current = ""
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast())
                out[current, default: []] = out[current] ?? []
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            out[current, default: []].append((String(line[..<equals]).trimmingCharacters(in: .whitespaces),
                                              String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)))
        }
        return out
    }

    static func values(_ sections: [String: [(key: String, value: String)]], _ section: String, _ key: String) -> [String] {
        (sections[section] ?? []).filter { $0.key == key }.map(\.value)
    }

    @Test func keysSitInTheSectionsSystemdReads() throws {
        let unit = Self.sections(try String(contentsOfFile: Self.unitPath, encoding: .utf8))
        #expect(Set(unit.keys) == ["Unit", "Service", "Install"])
        // Restart limits belong to [Unit]; systemd ignores them in [Service] and applies 5 starts in 10 s.
        for key in ["StartLimitIntervalSec", "StartLimitBurst", "StartLimitAction"] {
            #expect(Self.values(unit, "Service", key).isEmpty, "\(key) in [Service] is ignored by systemd")
        }
        #expect(Self.values(unit, "Unit", "StartLimitIntervalSec") == ["0"])
        #expect(Self.values(unit, "Service", "Restart") == ["always"])
        #expect(Self.values(unit, "Service", "Type") == ["notify"])
        #expect(Self.values(unit, "Service", "WatchdogSec") == ["30s"])
        #expect(Self.values(unit, "Service", "LoadCredential") == ["secrets.toml:/etc/killswitch/secrets.toml"])
        // 256 connections per venue account: room for at least 16 accounts' pools.
        let files = try #require(Self.values(unit, "Service", "LimitNOFILE").first.flatMap { Int($0) })
        #expect(files >= 16 * 256)
    }

    @Test func theExampleConfigReadsTheUnitsCredential() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("etc/killswitch.example.toml"), encoding: .utf8)
        #expect(text.contains(#"secrets_file = "${CREDENTIALS_DIRECTORY}/secrets.toml""#))
        // No venue left reading keys from environment variables the unit never sets.
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("credentials = {") && $0.contains("_env") })
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") || FileManager.default.isExecutableFile(atPath: "/bin/systemd-analyze"),
                   "systemd-analyze is not installed (Debian: the systemd package); the section checks above still run"))
    func systemdAnalyzeVerifiesIt() throws {
        let directory = NSTemporaryDirectory() + "ks-unit-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // verify checks that ExecStart's binary exists: point it at the one this build made.
        let text = try String(contentsOfFile: Self.unitPath, encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/killswitch", with: DaemonProcess.binary)
        let copy = directory + "/killswitch.service"
        try text.write(toFile: copy, atomically: true, encoding: .utf8)
        let analyze = FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") ? "/usr/bin/systemd-analyze" : "/bin/systemd-analyze"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: analyze)
        process.arguments = ["verify", "--man=no", copy]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(said)")
        // Warnings (an unknown key, a key in the wrong section) do not fail verify: none may mention the unit.
        #expect(!said.contains("killswitch.service"), "\(said)")
    }
}
