import KillSwitchCore
import KillSwitchDaemon

/// Waits for daemon events with a bound: the first event that matches, or nil once `timeout` has passed —
/// so a regression fails the test instead of hanging it.
enum EventWait {
    static func first(_ events: AsyncStream<DaemonEvent>, within timeout: Duration,
                      where predicate: @escaping @Sendable (DaemonEvent) -> Bool) async -> DaemonEvent? {
        await withTaskGroup(of: DaemonEvent?.self) { group in
            group.addTask {
                for await event in events where predicate(event) { return event }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
    }

    /// The next end of incident `id` with `outcome`.
    static func ended(_ events: AsyncStream<DaemonEvent>, incident id: Int64, outcome: IncidentStateMachine.Outcome, within timeout: Duration) async -> Bool {
        await first(events, within: timeout) { event in
            if case .incidentEnded(let record, let ended, _) = event { return record.id == id && ended == outcome }
            return false
        } != nil
    }
}
