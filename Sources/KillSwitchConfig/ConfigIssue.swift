/// One problem in a configuration file, at a key path such as `venues[2].kind`.
public struct ConfigIssue: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Every problem found in a configuration, so an operator fixes them all in one pass.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var issues: [ConfigIssue]

    public init(file: String, issues: [ConfigIssue]) {
        self.file = file
        self.issues = issues
    }

    public var description: String {
        "\(file): \(issues.count) configuration error\(issues.count == 1 ? "" : "s")\n" + issues.map { "  \($0)" }.joined(separator: "\n")
    }
}
