import Synchronization

/// A fault seam for tests: makes chosen write transactions fail as a full disk would (SQLITE_FULL), without
/// mounting a filesystem. Production code never sets it; when empty it costs one lock per write.
public final class StoreFaults: Sendable {
    private struct Rule: Sendable {
        /// The writing method's name starts with this (`createIncident`, `recordIntents`, …); "" matches all.
        var operation: String
        /// Failures left; nil: until cleared.
        var remaining: Int?
    }

    private let rules = Mutex<[Rule]>([])

    public init() {}

    /// Fails the next `times` writes of `operation` (nil: every one until `clear()`).
    public func failWrites(of operation: String = "", times: Int? = nil) {
        rules.withLock { $0.append(Rule(operation: operation, remaining: times)) }
    }

    public func clear() {
        rules.withLock { $0.removeAll() }
    }

    /// Throws the injected failure when a rule matches `function` (a `#function` name).
    func check(_ function: String) throws {
        let fail: Bool = rules.withLock { rules in
            guard let index = rules.firstIndex(where: { function.hasPrefix($0.operation) }) else { return false }
            if let remaining = rules[index].remaining {
                if remaining <= 1 { rules.remove(at: index) } else { rules[index].remaining = remaining - 1 }
            }
            return true
        }
        if fail { throw SQLiteError(code: 13, message: "database or disk is full (injected for \(function))", sql: nil) }
    }
}
