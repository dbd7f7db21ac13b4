#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Testing
import KillSwitchDaemon

/// `killswitch run` as systemd runs it: a real child with NOTIFY_SOCKET and WATCHDOG_USEC, and with its
/// stderr declared the journal (JOURNAL_STREAM).
extension EngineIntegration {
@Suite(.serialized, .timeLimit(.minutes(2))) struct ServiceManagerProcessTests {
    @Test func readyOnceTheSocketAnswersThenWatchdogThenStopping() async throws {
        let files = try DaemonProcessTests.Files()
        defer { files.remove() }
        try files.write()
        let receiver = try NotifySocketReceiver(address: files.directory + "/notify")
        // 200 ms asked: a ping every 100 ms, each after the engines' round trip.
        let daemon = try DaemonProcess(config: files.config, environment: ["NOTIFY_SOCKET": receiver.address, "WATCHDOG_USEC": "200000"])
        defer { daemon.stop() }
        #expect(await receiver.next() == "READY=1\nSTATUS=control socket listening", "log: \(daemon.output)")
        // Ready means the control socket already answers (`systemctl start` returns, the CLI works).
        #expect(ControlServer.unreachableReason(socket: files.directory + "/c.sock") == nil)
        #expect(await receiver.next() == "WATCHDOG=1")
        #expect(await receiver.next() == "WATCHDOG=1")
        daemon.signal(SIGTERM)
        #expect(await receiver.next(equalTo: "STOPPING=1").last == "STOPPING=1")
        #expect(await daemon.waitForExit() == 0)
    }

    /// With stderr the journal, every line starts with its syslog priority: the trip SIGUSR1 causes is
    /// critical (`<2>`), so `journalctl -p crit` shows it; without JOURNAL_STREAM no line has a prefix.
    @Test func journalLinesCarryTheirPriority() async throws {
        let files = try DaemonProcessTests.Files()
        defer { files.remove() }
        try files.write()
        let daemon = try DaemonProcess(config: files.config, journalStream: true)
        defer { daemon.stop() }
        #expect(await daemon.waitUntilReady(), "log: \(daemon.output)")
        daemon.signal(SIGUSR1)
        #expect(await daemon.waitForLog("SIGUSR1 trip latched"))
        daemon.signal(SIGTERM)
        #expect(await daemon.waitForExit() == 0)
        let lines = daemon.output.split(separator: "\n").map(String.init)
        #expect(!lines.isEmpty)
        for line in lines { #expect(line.range(of: #"^<[2-7]>"#, options: .regularExpression) != nil, "no priority: \(line)") }
        #expect(lines.contains { $0.hasPrefix("<6>") && $0.contains("listening for signals") })
        #expect(lines.contains { $0.hasPrefix("<2>") && $0.contains("SIGUSR1: tripping everything") })
        #expect(lines.contains { $0.hasPrefix("<2>") && $0.contains("TRIPPED") })

        let plain = try DaemonProcessTests.Files()
        defer { plain.remove() }
        try plain.write()
        let control = try DaemonProcess(config: plain.config)
        defer { control.stop() }
        #expect(await control.waitUntilReady())
        control.signal(SIGTERM)
        #expect(await control.waitForExit() == 0)
        #expect(!control.output.isEmpty && !control.output.split(separator: "\n").contains { $0.hasPrefix("<") })
    }
}
}
