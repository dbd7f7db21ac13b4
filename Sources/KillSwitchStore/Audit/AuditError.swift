import KillSwitchCore

/// A post-incident query that cannot be answered as asked.
public enum AuditError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No incident with this id; `known` is the range the database has (nil: it has none).
    case unknownIncident(Int64, known: ClosedRange<Int64>?)
    /// `--outcome` named something that is not one of the seven cancel outcomes.
    case unknownOutcome(String)

    public var description: String {
        switch self {
        case .unknownIncident(let id, let known?):
            "no incident \(id) in this database (incidents \(known.lowerBound)…\(known.upperBound))"
        case .unknownIncident(let id, nil):
            "no incident \(id): this database has no incidents"
        case .unknownOutcome(let text):
            "outcome: \"\(text)\" is not a cancel outcome; expected one of \(CancelOutcomeKind.allNames)"
        }
    }
}

extension CancelOutcomeKind {
    /// Parses an outcome as an operator types it (case does not matter: `alreadyclosed` is `alreadyClosed`).
    public static func parse(auditFilter text: String) throws -> CancelOutcomeKind {
        if let exact = CancelOutcomeKind(rawValue: text) { return exact }
        if let folded = allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) { return folded }
        throw AuditError.unknownOutcome(text)
    }
}
