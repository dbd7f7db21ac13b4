import Synchronization

/// A fault seam for tests: makes chosen write transactions fail as a full disk would (SQLITE_FULL), or as a
/// refusal would (SQLITE_CONSTRAINT: the data, not the disk), without mounting a filesystem. Production code
/// never sets it; when empty it costs one lock per write.
public final class StoreFaults: Sendable {
    public enum Failure: Sendable {
        /// SQLITE_FULL: the database cannot write (the store falls back to its journal).
        case full
        /// SQLITE_CONSTRAINT: the database refuses this write (no fallback: the caller gets the error).
        case refused
    }

    private struct Rule: Sendable {
        /// The writing method's name starts with this (`createIncident`, `recordIntents`, …); "" matches all.
        var operation: String
        /// Failures left; nil: until cleared.
        var remaining: Int?
        var failure: Failure
    }

    private let rules = Mutex<[Rule]>([])

    public init() {}

    /// Fails the next `times` writes of `operation` (nil: every one until `clear()`).
    public func failWrites(of operation: String = "", times: Int? = nil, as failure: Failure = .full) {
        rules.withLock { $0.append(Rule(operation: operation, remaining: times, failure: failure)) }
    }

    public func clear() {
        rules.withLock { $0.removeAll() }
    }

    /// Throws the injected failure when a rule matches `function` (a `#function` name).
    func check(_ function: String) throws {
        let fail: Failure? = rules.withLock { rules in
            guard let index = rules.firstIndex(where: { function.hasPrefix($0.operation) }) else { return nil }
            let failure = rules[index].failure
            if let remaining = rules[index].remaining {
                if remaining <= 1 { rules.remove(at: index) } else { rules[index].remaining = remaining - 1 }
            }
            return failure
        }
        switch fail {
        case .full?: throw SQLiteError(code: 13, message: "database or disk is full (injected for \(function))", sql: nil)
        case .refused?: throw SQLiteError(code: 19, message: "constraint failed (injected for \(function))", sql: nil)
        case nil: break
        }
    }
}
