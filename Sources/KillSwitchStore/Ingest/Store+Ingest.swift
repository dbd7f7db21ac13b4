import KillSwitchCore

extension Store {
    /// Stores a batch of events in one transaction and answers per event, after commit.
    /// Idempotent by eventId; reordering-tolerant (terminal states are final, open states only advance,
    /// filled quantity never decreases). Events that failed validation come back as `rejected` and the
    /// rest of the batch is still stored. `caller` is who sent the batch (recorded on each event row).
    /// How a batch is decided and written: `IngestBatch`.
    public func ingest(_ events: [Result<OrderEvent, EventError>], source: String = "client", caller: AuditActor? = nil) throws -> [IngestResult] {
        let now = clock.now()
        return try write { db in
            var batch = try IngestBatch(db, venues: venues, source: source, caller: caller, now: now, expected: events.count)
            var results: [IngestResult] = []
            results.reserveCapacity(events.count)
            for (index, item) in events.enumerated() {
                switch item {
                case .failure(let error): results.append(.rejected(error))
                case .success(let event): results.append(try batch.add(event, index: index))
                }
            }
            try batch.finish()
            for change in batch.statusChanges { statusChanged(from: change.from, to: change.to) }
            return results
        }
    }

    public func ingest(_ events: [OrderEvent], source: String = "client", caller: AuditActor? = nil) throws -> [IngestResult] {
        try ingest(events.map { .success($0) }, source: source, caller: caller)
    }
}
