import Foundation
import Synchronization

/// A real `killswitch run --config F` child process with its stderr (the log) captured, for the signal and
/// lock tests. Waiting on the log polls with a deadline: it is cross-process observation.
final class DaemonProcess: @unchecked Sendable {
    final class LogBuffer: Sendable {
        let text = Mutex("")
    }

    let process: Process
    private let log = LogBuffer()
    private let exited: AsyncStream<Int32>

    static var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("killswitch").path
    }

    /// `environment` is added to the test's own; with `journalStream` the child is told (JOURNAL_STREAM) that
    /// its stderr is the journal, as systemd tells a service — the pipe it writes to stands in for it.
    init(config: String, arguments extra: [String] = [], environment extra_: [String: String] = [:], journalStream: Bool = false) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["run", "--config", config, "--log-level", "info"] + extra
        process.standardOutput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardError = pipe
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "JOURNAL_STREAM")
        environment.removeValue(forKey: "NOTIFY_SOCKET")
        if journalStream {
            var info = stat()
            fstat(pipe.fileHandleForWriting.fileDescriptor, &info)
            environment["JOURNAL_STREAM"] = "\(info.st_dev):\(info.st_ino)"
        }
        environment.merge(extra_) { _, new in new }
        process.environment = environment
        let (exited, exitSink) = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.exited = exited
        self.process = process
        pipe.fileHandleForReading.readabilityHandler = { [log] handle in
            let data = handle.availableData
            if data.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            log.text.withLock { $0 += String(decoding: data, as: UTF8.self) }
        }
        process.terminationHandler = { exitSink.yield($0.terminationStatus); exitSink.finish() }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var output: String { log.text.withLock { $0 } }

    /// Waits until the log contains `text` (true) or the deadline passes or the process exits (false).
    func waitForLog(_ text: String, timeout: Duration = .seconds(20)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            if !process.isRunning { return output.contains(text) }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Ready once the signal handlers are installed (before that, SIGUSR1's default action would kill it).
    func waitUntilReady() async -> Bool { await waitForLog("listening for signals") }

    func signal(_ number: Int32) { kill(pid, number) }

    /// The exit status, once it has exited.
    func waitForExit() async -> Int32? {
        var iterator = exited.makeAsyncIterator()
        return await iterator.next()
    }

    /// Kills it if still running (test cleanup).
    func stop() {
        if process.isRunning { kill(pid, SIGKILL) }
    }
}
