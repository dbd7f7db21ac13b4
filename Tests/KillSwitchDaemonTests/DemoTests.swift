import Foundation
import Testing

/// `killswitch demo` — the README's first command — run to the end as a real child process from the
/// debug build: it must trip on the silent heartbeat, end flat, and leave nothing open on the simulator.
extension EngineIntegration {
@Suite struct DemoTests {
    @Test func demoRunsToTheEndFlat() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CrashResumeTests.killswitchBinary)
        process.arguments = ["demo", "--heartbeat-seconds", "1"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "demo output:\n\(text)")
        #expect(text.contains("TRIPPED: incident 1"))
        #expect(text.contains("incident 1 ended flat"))
        #expect(text.contains("the simulator shows 0 orders still open and refused 0 requests"))
        // The untracked orders the bot never reported were found by the final listing and cancelled too.
        for venue in ["gate-futures-main", "gate-spot-main", "htx-main", "bitget-main", "binance-main"] {
            let lines = text.split(separator: "\n").filter { $0.contains(venue) && $0.contains("done") }
            let last = try #require(lines.last, "no progress line for \(venue)")
            let done = last.split(separator: " ").first { $0.contains("/") }.map(String.init) ?? ""
            let parts = done.split(separator: "/")
            #expect(parts.count == 2 && parts[0] == parts[1], "\(venue): \(last)")
        }
        #expect(text.contains("audit timeline"))
        #expect(text.contains("Incident 1: flat") && text.contains("Time to flat"))
    }
}
}
