import KillSwitchCore

/// A trip's fan-out already started inside the transaction that opened the incident: the machine's opening
/// actions, and the first batch cancels' intents committed with the incident (one commit between the
/// deadline and the first cancel on the wire).
struct FanOutOpening: Sendable {
    var setup: FanOutSetup
    var actions: [IncidentStateMachine.Action]
    /// Per venue, its opening batch-cancel steps (in order) whose intents are committed; nil when they could
    /// not be written with the incident (the executor records them itself, as for every later step).
    var recorded: [String: [[IncidentExecutor.RecordedRequest]]]?

    /// The opening batch cancels, each with its committed intent's id (`ids`: per `.send` action, in order, as
    /// many as were recorded).
    func recordedRequests(_ ids: [[Int64]]) -> [String: [[IncidentExecutor.RecordedRequest]]] {
        let sends = actions.compactMap { action -> (String, [CancelBatch])? in
            guard case .venue(let venueId, .send(let batches)) = action else { return nil }
            return (venueId, batches)
        }
        var out: [String: [[IncidentExecutor.RecordedRequest]]] = [:]
        for ((venueId, batches), ids) in zip(sends, ids) {
            out[venueId, default: []].append(zip(batches, ids).map { batch, id in
                IncidentExecutor.RecordedRequest(batch: batch, attempts: setup.machine.attempts(venueId, batch.targets), intentId: id)
            })
        }
        return out
    }
}
