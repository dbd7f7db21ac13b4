import Foundation
import KillSwitchCore

/// Cancelling does not depend on the disk. Every write an incident needs — the incident itself, cancel intents,
/// answers and outcomes, its end — is tried on the database first; when the database cannot write (a full
/// disk, an I/O error, a lock that does not clear) it goes to the journal instead, under provisional (negative)
/// ids, and the caller carries on: the cancel is sent. When neither can write the cancel is sent anyway and
/// logged at critical — the one case where "intent before send" gives way, because a kill switch that stops
/// cancelling when its disk fills is worse than one whose record has a gap.
///
/// While the journal holds records, every write first tries to merge it (oldest first, one transaction per
/// record, skipping records already merged — their keys are in `journal_merged`), so the database never gets an
/// answer before its intent. Once merged, the journal is emptied and provisional ids resolve to real ones.
extension Store {
    /// Whether an error means the database cannot write (as opposed to a request it refuses, like a
    /// constraint, which the journal would not fix).
    static func isStorageFailure(_ error: any Error) -> Bool {
        guard let error = error as? SQLiteError else { return false }
        return !error.isConstraint
    }

    /// Called with (provisional id, the incident as stored) when a provisional incident is merged.
    public func onIncidentStored(_ handler: @escaping @Sendable (Int64, IncidentRecord) -> Void) {
        incidentStoredHandler = handler
    }

    /// Every provisional incident id merged so far, and its real id.
    public func mergedIncidents() -> [Int64: Int64] { incidentAliases }

    /// The real id of an incident or intent given a provisional id while journaling (itself if not merged yet).
    func realIncident(_ id: Int64) -> Int64 { id < 0 ? incidentAliases[id] ?? id : id }
    func realIntent(_ id: Int64?) -> Int64? { id.map { $0 < 0 ? intentAliases[$0] ?? $0 : $0 } }

    /// Whether a write may go to the database now: the journal is merged (tried here) and no id it refers to
    /// is still provisional.
    func mayWriteDirectly(referring ids: [Int64?]) -> Bool {
        guard mergeJournal() else { return false }
        return ids.allSatisfy { ($0 ?? 1) > 0 }
    }

    /// Runs `write` against the database when it may (`mayWriteDirectly`) and returns its result; nil when the
    /// caller must journal instead — the database was not to be written, or the write failed for the disk's
    /// sake (recorded as a storage failure). Any other error is the data's fault and is thrown.
    func writeDirectly<T>(referring ids: [Int64?], now: Int64, _ write: () throws -> T) throws -> T? {
        guard mayWriteDirectly(referring: ids) else { return nil }
        do {
            return try write()
        } catch where Self.isStorageFailure(error) {
            storageFailed(error, now: now)
            return nil
        }
    }

    // MARK: Writes with a fallback

    /// Opens an incident (state `running`) and its `trip` audit event. When the database cannot write the
    /// incident is journaled under a provisional (negative) id — the trip goes on; it is written under its real
    /// id when the journal is merged.
    public func createIncident(scope: Scope, ruleId: String?, actor: AuditActor?, reason: String, deadlineAt: Int64?) throws -> IncidentRecord {
        let now = clock.now()
        let written = try writeDirectly(referring: [], now: now) {
            try createIncidentDirect(scope: scope, ruleId: ruleId, actor: actor, reason: reason, deadlineAt: deadlineAt, now: now)
        }
        if let written { return written }
        return journalIncident(scope: scope, ruleId: ruleId, actor: actor, reason: reason, deadlineAt: deadlineAt, now: now)
    }

    /// The incident under a provisional (negative) id in the journal: the database cannot write.
    private func journalIncident(scope: Scope, ruleId: String?, actor: AuditActor?, reason: String, deadlineAt: Int64?, now: Int64) -> IncidentRecord {
        let id = nextProvisionalIncident
        nextProvisionalIncident -= 1
        var record = journalRecord(.incident, at: now, incident: id)
        record.scope = scope
        record.ruleId = ruleId
        record.actor = actor
        record.reason = reason
        record.deadlineAt = deadlineAt
        appendToJournal(record, what: "the incident")
        return IncidentRecord(id: id, scope: scope, ruleId: ruleId, actor: actor?.name, reason: reason, state: .running, trippedAt: now,
                              deadlineAt: deadlineAt, endedAt: nil, summary: nil, rearmedAt: nil, rearmedBy: nil, rearmReason: nil, rearmForced: false)
    }

    /// The trip path in one commit: the incident and its `trip` event, the open orders of `filter` read in the
    /// same transaction (nil when the read failed: the caller lists instead), and the intents of the first
    /// requests `plan` decides from them — so the first cancel waits on one transaction, not two.
    ///
    /// `intentIds` (one array per `PlannedIntents`, in order) is nil when the intents were not written with the
    /// incident — the database refused them, or cannot write and the incident went to the journal: the caller
    /// then records them as every later step is (`recordIntents`). `plan` may run twice; it must be pure.
    public func createIncident<Plan: Sendable>(scope: Scope, ruleId: String?, actor: AuditActor?, reason: String, deadlineAt: Int64?, readingOpen filter: OrderFilter,
                                               plan: @Sendable (IncidentRecord, [StoredOrder]?) -> (Plan, [PlannedIntents]))
        throws -> (incident: IncidentRecord, open: [StoredOrder]?, plan: Plan, intentIds: [[Int64]]?) {
        let now = clock.now()
        let incident: IncidentRecord
        do {
            let written = try writeDirectly(referring: [], now: now) {
                try write { _ in
                    let incident = try createIncidentDirect(scope: scope, ruleId: ruleId, actor: actor, reason: reason, deadlineAt: deadlineAt, now: now)
                    let open = try? orders(filter)
                    let (decided, intents) = plan(incident, open)
                    // Stamped when they are written (after the read and the plan), as every intent is: the audit's
                    // timeline must not show a request as sent before it could have been.
                    let planned = clock.now()
                    let ids = try intents.map { try recordIntentsDirect(incidentId: incident.id, venueId: $0.venueId, kind: $0.kind, requests: $0.requests, now: planned) }
                    return (incident, open, decided, Optional(ids))
                }
            }
            if let written { return written }
            // The database cannot write (already tried, and recorded as a storage failure): straight to the journal.
            incident = journalIncident(scope: scope, ruleId: ruleId, actor: actor, reason: reason, deadlineAt: deadlineAt, now: now)
        } catch where !Self.isStorageFailure(error) {
            // The intents (or the incident) were refused: the incident is opened alone.
            incident = try createIncident(scope: scope, ruleId: ruleId, actor: actor, reason: reason, deadlineAt: deadlineAt)
        }
        let open = try? orders(filter)
        return (incident, open, plan(incident, open).0, nil)
    }

    /// Writes the intents of several requests (one fan-out step of a venue) in one commit, before any of them
    /// is sent; journaled (fsynced) under provisional ids when the database cannot write.
    public func recordIntents(incidentId: Int64, venueId: String, kind: String,
                              requests: [(attempt: Int, symbol: String?, targets: [CancelTarget])]) throws -> [Int64] {
        let now = clock.now()
        let incident = realIncident(incidentId)
        let written = try writeDirectly(referring: [incident], now: now) {
            try recordIntentsDirect(incidentId: incident, venueId: venueId, kind: kind, requests: requests, now: now)
        }
        if let written { return written }
        var record = journalRecord(.intents, at: now, incident: incident)
        record.venueId = venueId
        record.requestKind = kind
        record.intents = requests.map { request in
            let id = nextProvisionalIntent
            nextProvisionalIntent -= 1
            return JournalRecord.Intent(id: id, attempt: request.attempt, symbol: request.symbol, orderIds: request.targets.map(\.orderId),
                                        wireIds: request.targets.map(\.wireId))
        }
        appendToJournal(record, what: "\(requests.count) \(kind) intent(s) for \(venueId)")
        return record.intents!.map(\.id)
    }

    /// Records a request's answer (or the lack of one) and one outcome row per order, and moves terminal
    /// orders' status — all in one transaction; journaled when the database cannot write.
    public func recordAnswer(incidentId: Int64, intentId: Int64, httpStatus: Int?, venueCode: String?, rawBody: String,
                             latencyNanoseconds: Int64, transportError: String?, outcomes: [OrderCancelOutcome], attempts: [Int64: Int]) throws {
        let now = clock.now()
        let incident = realIncident(incidentId), intent = realIntent(intentId)!
        let written = try writeDirectly(referring: [incident, intent], now: now) {
            try recordAnswerDirect(incidentId: incident, intentId: intent, httpStatus: httpStatus, venueCode: venueCode, rawBody: rawBody,
                                  latencyNanoseconds: latencyNanoseconds, transportError: transportError, outcomes: outcomes, attempts: attempts, now: now)
        }
        if written != nil { return }
        var record = journalRecord(.answer, at: now, incident: incident)
        record.intentId = intent
        record.httpStatus = httpStatus
        record.venueCode = venueCode
        record.rawBody = rawBody
        record.latencyMicroseconds = latencyNanoseconds / 1_000
        record.transportError = transportError
        record.outcomes = Self.journaled(outcomes, attempts: attempts)
        appendToJournal(record, what: "an answer (\(outcomes.count) outcome(s))")
    }

    /// Outcomes decided without a cancel answer (verification by listing), linked to the listing's intent.
    public func recordVerified(incidentId: Int64, intentId: Int64?, outcomes: [OrderCancelOutcome], attempts: [Int64: Int]) throws {
        let now = clock.now()
        let incident = realIncident(incidentId), intent = realIntent(intentId)
        let written = try writeDirectly(referring: [incident, intent], now: now) {
            try recordVerifiedDirect(incidentId: incident, intentId: intent, outcomes: outcomes, attempts: attempts, now: now)
        }
        if written != nil { return }
        var record = journalRecord(.verified, at: now, incident: incident)
        record.intentId = intent
        record.outcomes = Self.journaled(outcomes, attempts: attempts)
        appendToJournal(record, what: "\(outcomes.count) verified outcome(s)")
    }

    /// Ends the incident's fan-out (`flat` or `incomplete`) with its summary, and audits it.
    public func finishIncident(id: Int64, state: IncidentRecord.State, summary: String) throws {
        let now = clock.now()
        let incident = realIncident(id)
        let written = try writeDirectly(referring: [incident], now: now) {
            try finishIncidentDirect(id: incident, state: state, summary: summary, now: now)
        }
        if written != nil { return }
        var record = journalRecord(.finish, at: now, incident: incident)
        record.state = state.rawValue
        record.summary = summary
        appendToJournal(record, what: "the incident's end")
    }

    /// Marks a finished incident running again — an order found inside its latched scope, or an operator's
    /// retry — under a fresh deadline (the old one has usually passed: keeping it would end the new fan-out
    /// at once), audits why, and returns the record. The latch is untouched. Journaled when the database
    /// cannot write (the record returned is then the stored one with the change applied, or nil).
    public func reopenIncident(id: Int64, auditKind: String, actor: AuditActor?, detail: [String: String], deadlineAt: Int64?) throws -> IncidentRecord? {
        let now = clock.now()
        let incident = realIncident(id)
        let written = try writeDirectly(referring: [incident], now: now) {
            try reopenIncidentDirect(id: incident, auditKind: auditKind, actor: actor, detail: detail, deadlineAt: deadlineAt, now: now)
        }
        if let written { return written }
        var record = journalRecord(.reopen, at: now, incident: incident)
        record.auditKind = auditKind
        record.actor = actor
        record.detail = detail
        record.deadlineAt = deadlineAt
        appendToJournal(record, what: "the incident's reopening")
        guard incident > 0, var stored = try? self.incident(id: incident) else { return nil }
        stored.state = .running
        stored.endedAt = nil
        stored.deadlineAt = deadlineAt
        return stored
    }

    public func appendAudit(kind: String, incidentId: Int64?, actor: AuditActor?, detail: [String: String]) throws {
        let now = clock.now()
        let incident = incidentId.map(realIncident)
        let written: Void? = try writeDirectly(referring: [incident], now: now) {
            try appendAuditDirect(kind: kind, incidentId: incident, actor: actor, detail: detail, now: now)
        }
        if written != nil { return }
        var record = journalRecord(.audit, at: now, incident: incident)
        record.auditKind = kind
        record.actor = actor
        record.detail = detail
        appendToJournal(record, what: "a \(kind) audit event")
    }

    // MARK: The journal

    func journalRecord(_ kind: JournalRecord.Kind, at: Int64, incident: Int64?) -> JournalRecord {
        journalSequence += 1
        return JournalRecord(key: "\(journalPrefix)-\(journalSequence)", kind: kind, at: at, incidentId: incident)
    }

    /// The database could not write (the write path has recorded it in `health`): the first time in an
    /// outage, say so loudly.
    func storageFailed(_ error: any Error, now: Int64) {
        guard !writingToJournal else { return }
        writingToJournal = true
        logger.critical("STORAGE FAILING: the database cannot write; incidents go on, recorded in the journal until it can", metadata: [
            "error": "\(error)", "journal": "\(journal?.path ?? "none")",
        ])
    }

    /// Appends to the journal; when that fails too, the write is lost and says so loudly (the cancel it
    /// belongs to is sent anyway).
    func appendToJournal(_ record: JournalRecord, what: String) {
        do {
            guard let journal else { throw StoreJournal.Failure.open("(none)", 0) }
            try journal.append(record)
            health.journalChanged(records: journal.count, bytes: journal.used)
        } catch {
            health.countUnrecorded()
            logger.critical("UNRECORDED: neither the database nor the journal can write; sent anyway", metadata: [
                "what": "\(what)", "incident": "\(record.incidentId.map(String.init) ?? "-")", "error": "\(error)",
            ])
        }
    }

    static func journaled(_ outcomes: [OrderCancelOutcome], attempts: [Int64: Int]) -> [JournalRecord.Outcome] {
        outcomes.map {
            JournalRecord.Outcome(orderId: $0.target.orderId, symbol: $0.target.symbol, venueOrderId: $0.target.venueOrderId, clientOrderId: $0.target.clientOrderId,
                                  kind: $0.kind.rawValue, venueCode: $0.venueCode, message: $0.message, attempt: attempts[$0.target.orderId] ?? 1)
        }
    }

    /// Merges the journal into the database, oldest record first, one transaction per record, skipping those
    /// already merged; empties it when all are in. Returns whether the journal is empty now. A record the
    /// database refuses for itself (a constraint, not a storage failure) is logged and marked merged, so one bad
    /// record never keeps the daemon in journal mode.
    @discardableResult
    public func mergeJournal() -> Bool {
        guard let journal, !journal.isEmpty else { return true }
        var stored: [(Int64, IncidentRecord)] = []
        var merged = 0
        do {
            for record in journal.records() {
                if let ids = try alreadyMerged(record.key) {
                    remember(ids)
                    continue
                }
                do {
                    try write { db in
                        let ids = try apply(record, stored: &stored)
                        try markMerged(db, record, kind: record.kind.rawValue, ids: ids)
                        remember(ids)
                    }
                } catch where !Self.isStorageFailure(error) {
                    logger.error("a journal record the database refuses was skipped", metadata: ["key": "\(record.key)", "kind": "\(record.kind.rawValue)", "error": "\(error)"])
                    try write { db in try markMerged(db, record, kind: "\(record.kind.rawValue):skipped", ids: MergedIds()) }
                }
                merged += 1
            }
            try journal.clear()
        } catch {
            storageFailed(error, now: clock.now())
            return false
        }
        health.journalChanged(records: 0, bytes: 0)
        writingToJournal = false
        logger.notice("journal merged into the database", metadata: ["records": "\(merged)"])
        if merged > 0 { try? appendAuditDirect(kind: "journal-merged", incidentId: nil, actor: nil, detail: ["records": "\(merged)"], now: clock.now()) }
        for (provisional, record) in stored { incidentStoredHandler?(provisional, record) }
        return true
    }

    /// The real ids a journal record's provisional ones became.
    struct MergedIds: Codable {
        var incidents: [String: Int64] = [:]
        var intents: [String: Int64] = [:]
    }

    private func markMerged(_ db: SQLiteConnection, _ record: JournalRecord, kind: String, ids: MergedIds) throws {
        let json = String(decoding: try JSONEncoder().encode(ids), as: UTF8.self)
        try db.cached("INSERT INTO journal_merged (key, kind, ids, merged_at) VALUES (?, ?, ?, ?)")
            .bind([.text(record.key), .text(kind), .text(json), .integer(clock.now())]).run()
    }

    private func alreadyMerged(_ key: String) throws -> MergedIds? {
        let s = try db.cached("SELECT ids FROM journal_merged WHERE key = ?").bind(1, key)
        guard try s.step() else { return nil }
        let text = s.text(0) ?? "{}"
        s.reset()
        return (try? JSONDecoder().decode(MergedIds.self, from: Data(text.utf8))) ?? MergedIds()
    }

    private func remember(_ ids: MergedIds) {
        for (provisional, real) in ids.incidents { if let id = Int64(provisional) { incidentAliases[id] = real } }
        for (provisional, real) in ids.intents { if let id = Int64(provisional) { intentAliases[id] = real } }
    }

    /// Writes one journal record to the database (inside the caller's transaction); returns the ids it created.
    private func apply(_ record: JournalRecord, stored: inout [(Int64, IncidentRecord)]) throws -> MergedIds {
        let incident = record.incidentId.map(realIncident)
        func outcomes() -> ([OrderCancelOutcome], [Int64: Int]) {
            let list = (record.outcomes ?? []).filter { $0.orderId > 0 }
            return (list.map {
                OrderCancelOutcome(target: CancelTarget(orderId: $0.orderId, symbol: $0.symbol, venueOrderId: $0.venueOrderId, clientOrderId: $0.clientOrderId),
                                   kind: CancelOutcomeKind(rawValue: $0.kind) ?? .unknown, venueCode: $0.venueCode, message: $0.message)
            }, Dictionary(list.map { ($0.orderId, $0.attempt) }, uniquingKeysWith: { a, _ in a }))
        }
        var ids = MergedIds()
        switch record.kind {
        case .incident:
            let created = try createIncidentDirect(scope: record.scope ?? .everything, ruleId: record.ruleId, actor: record.actor, reason: record.reason ?? "",
                                                   deadlineAt: record.deadlineAt, now: record.at, journalKey: record.key)
            if let provisional = record.incidentId {
                stored.append((provisional, created))
                ids.incidents[String(provisional)] = created.id
            }
        case .intents:
            guard let incident, incident > 0, let intents = record.intents else { return ids }
            let created = try recordIntentsDirect(incidentId: incident, venueId: record.venueId ?? "", kind: record.requestKind ?? "batch-cancel",
                                                  requests: intents.map { intent in
                                                      (intent.attempt, intent.symbol, zip(intent.orderIds, intent.wireIds).map {
                                                          CancelTarget(orderId: $0, symbol: intent.symbol ?? "", venueOrderId: $1, clientOrderId: nil)
                                                      })
                                                  }, now: record.at, journalKey: record.key)
            for (intent, id) in zip(intents, created) { ids.intents[String(intent.id)] = id }
        case .answer:
            guard let incident, incident > 0, let intent = realIntent(record.intentId), intent > 0 else { return ids }
            let (list, attempts) = outcomes()
            try recordAnswerDirect(incidentId: incident, intentId: intent, httpStatus: record.httpStatus, venueCode: record.venueCode, rawBody: record.rawBody ?? "",
                                   latencyNanoseconds: (record.latencyMicroseconds ?? 0) * 1_000, transportError: record.transportError,
                                   outcomes: list, attempts: attempts, now: record.at)
        case .verified:
            guard let incident, incident > 0 else { return ids }
            let (list, attempts) = outcomes()
            try recordVerifiedDirect(incidentId: incident, intentId: realIntent(record.intentId).flatMap { $0 > 0 ? $0 : nil }, outcomes: list, attempts: attempts, now: record.at)
        case .finish:
            guard let incident, incident > 0 else { return ids }
            try finishIncidentDirect(id: incident, state: IncidentRecord.State(rawValue: record.state ?? "") ?? .incomplete, summary: record.summary ?? "{}", now: record.at)
        case .reopen:
            guard let incident, incident > 0 else { return ids }
            _ = try reopenIncidentDirect(id: incident, auditKind: record.auditKind ?? "incident-reopen", actor: record.actor, detail: record.detail ?? [:],
                                         deadlineAt: record.deadlineAt, now: record.at)
        case .audit:
            try appendAuditDirect(kind: record.auditKind ?? "audit", incidentId: incident.flatMap { $0 > 0 ? $0 : nil }, actor: record.actor,
                                  detail: record.detail ?? [:], now: record.at)
        }
        return ids
    }
}
