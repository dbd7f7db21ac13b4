import KillSwitchStore
import Logging

/// Writes the countdown's audit events (`dms-arm`, `dms-refresh`, `dms-refresh-failed`, `dms-disarm`,
/// `dms-left-armed`, each with the venue's trigger time) in order, off the refresh path: the store is one
/// writer, and during a large incident a write may wait behind the incident's own; a refresh must never
/// wait for the disk (a full disk falls back to the store's journal, or is logged here).
final class CountdownAuditLog: Sendable {
    typealias Entry = (kind: String, detail: [String: String])

    /// What was recorded (read by `drain`, or by tests).
    let entries: AsyncStream<Entry>
    private let sink: AsyncStream<Entry>.Continuation

    init() {
        // Bounded: if the store stalls for long, the oldest refresh records go first (the log keeps failures).
        (entries, sink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(16_384))
    }

    func record(_ kind: String, _ detail: [String: String]) {
        sink.yield((kind, detail))
    }

    /// Writes what was recorded until `finish()`; returns once everything recorded before it is written.
    func drain(into store: Store, logger: Logger) async {
        for await entry in entries {
            do {
                try await store.appendAudit(kind: entry.kind, incidentId: nil, actor: nil, detail: entry.detail)
            } catch {
                logger.error("could not record a countdown audit event", metadata: ["kind": "\(entry.kind)", "error": "\(error)"])
            }
        }
    }

    func finish() { sink.finish() }
}
