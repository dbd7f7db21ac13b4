import Foundation
import KillSwitchCore
import KillSwitchStore

extension Daemon {
    public enum ScopeRearmError: Error, CustomStringConvertible, Equatable {
        case noLatchedIncident(Scope)

        public var description: String {
            switch self {
            case .noLatchedIncident(let scope): "no latched incident has scope \(scope)"
            }
        }
    }

    /// Re-arms every latched incident whose scope is exactly `scope`. All or nothing: if any incident's rule
    /// still holds (and `force` is not set), none is re-armed.
    public func rearm(scope: Scope, operator actor: AuditActor, reason: String, force: Bool) async throws -> [Int64] {
        let incidents = await engine.latchedIncidents.filter { $0.scope == scope }
        guard !incidents.isEmpty else { throw ScopeRearmError.noLatchedIncident(scope) }
        if !force {
            for incident in incidents {
                if let ruleId = incident.ruleId, await rules.conditionHolds(ruleId: ruleId, scope: incident.scope) { throw RearmError.conditionStillHolds(ruleId: ruleId) }
            }
        }
        for incident in incidents {
            try await rearm(incidentId: incident.id, operator: actor, reason: reason, force: force)
        }
        return incidents.map(\.id)
    }

    /// A PnL mark: refused when dated more than `[pnl] mark_skew` ahead of the daemon's wall clock, evaluated by
    /// the PnL rules (a mark in the wrong currency throws `RuleError` and is not stored), then stored as received,
    /// with who reported it.
    public func recordPnL(_ mark: PnLMark, caller: AuditActor? = nil) async throws {
        let now = Date(timeIntervalSince1970: Double(options.wallClock.now()) / 1000)
        try MarkSkew.check(mark, now: now, allowed: configuration.pnl.markSkew)
        try await rules.pnl(mark, now: now)
        try await store.recordPnLMark(mark, caller: caller)
    }
}
