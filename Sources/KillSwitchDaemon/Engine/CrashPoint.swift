import Foundation
import Synchronization

/// Test-only fault injection for crash-resume tests: `KILLSWITCH_TEST_CRASH_AFTER_INTENTS=N` makes the
/// process die abruptly (no cleanup, like kill -9) right after the Nth intent is committed, and
/// `KILLSWITCH_TEST_CRASH_AFTER_ANSWERS=N` right after the Nth answer is recorded. Unset in production.
final class CrashPoint: Sendable {
    private let afterIntents: Int?
    private let afterAnswers: Int?
    private let counts = Mutex((intents: 0, answers: 0))

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        afterIntents = environment["KILLSWITCH_TEST_CRASH_AFTER_INTENTS"].flatMap(Int.init)
        afterAnswers = environment["KILLSWITCH_TEST_CRASH_AFTER_ANSWERS"].flatMap(Int.init)
    }

    static let disabled = CrashPoint(environment: [:])

    func intentCommitted() {
        guard let afterIntents else { return }
        let n = counts.withLock { $0.intents += 1; return $0.intents }
        if n == afterIntents { die("after intent \(n)") }
    }

    func answerRecorded() {
        guard let afterAnswers else { return }
        let n = counts.withLock { $0.answers += 1; return $0.answers }
        if n == afterAnswers { die("after answer \(n)") }
    }

    private func die(_ point: String) -> Never {
        FileHandle.standardError.write(Data("killswitch: test crash point reached (\(point))\n".utf8))
        _exit(86)
    }
}
