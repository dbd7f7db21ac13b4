import KillSwitchCore
import KillSwitchStore

/// Where one incident's cancelling stands in this process — one explicit state, kept by `TripEngine` in a
/// single dictionary, so no combination of flags can say two things at once.
enum IncidentRun: Sendable {
    /// A fan-out is being set up (its orders loading); who waits for it.
    case starting(waiters: [CheckedContinuation<Void, Never>])
    /// A fan-out is running.
    case running(RunningFanOut)
    /// The last fan-out ended `incomplete` while the scope stays latched: the next attempt is scheduled
    /// (capped backoff). Nothing is reserved meanwhile, so maintenance runs between attempts.
    case keepTrying(KeepTrying)
    /// No fan-out runs and none is scheduled: the incident ended `flat` (while latched the latched sweep
    /// watches its scope), was re-armed, or ended in a process that kept only its summary.
    case ended(EndedIncident)

    var isActive: Bool {
        switch self {
        case .starting, .running: true
        case .keepTrying, .ended: false
        }
    }
}

/// Why a fan-out was started: it decides what its end means.
enum FanOutKind: Sendable, Hashable {
    /// The trip itself, a resume after a restart, a reopen for an order found in scope, an operator's retry.
    case first
    /// Attempt `n` after the incident ended `incomplete`: quiet unless it ends `flat`.
    case keepTrying(attempt: Int)
}

struct RunningFanOut: Sendable {
    var executor: IncidentExecutor
    var task: Task<IncidentExecutor.Ending, Never>
    var progress: IncidentProgress
    var kind: FanOutKind
}

struct KeepTrying: Sendable {
    /// Attempts made after the incident first ended `incomplete`.
    var attempts: Int
    /// When the next attempt starts (wall-clock ms, for status).
    var nextAt: Int64
    var timer: Task<Void, Never>
    /// The last fan-out's progress (for status and `trip --follow`).
    var progress: IncidentProgress?
}

/// What is kept of an incident whose cancelling is over in this process: a bounded summary; the store has
/// the rest.
struct EndedIncident: Sendable {
    var outcome: IncidentStateMachine.Outcome?
    var endedAt: Int64
    var remaining: Int
    var progress: IncidentProgress?
}
