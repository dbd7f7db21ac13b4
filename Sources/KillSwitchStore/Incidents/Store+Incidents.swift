import Foundation
import KillSwitchCore

extension Store {
    static let incidentColumns = """
        id, scope_venue, scope_account, scope_symbol, rule_id, actor, reason, state, tripped_at, deadline_at, ended_at,
        summary, rearmed_at, rearmed_by, rearm_reason, rearm_forced
        """

    static func readIncident(_ s: SQLiteStatement) -> IncidentRecord {
        IncidentRecord(
            id: s.int(0), scope: Scope(venue: s.text(1), account: s.text(2), symbol: s.text(3)), ruleId: s.text(4), actor: s.text(5),
            reason: s.text(6) ?? "", state: IncidentRecord.State(rawValue: s.text(7) ?? "") ?? .running, trippedAt: s.int(8),
            deadlineAt: s.optionalInt(9), endedAt: s.optionalInt(10), summary: s.text(11), rearmedAt: s.optionalInt(12),
            rearmedBy: s.text(13), rearmReason: s.text(14), rearmForced: s.int(15) != 0
        )
    }

    /// Opens an incident (state `running`) and its `trip` audit event in one transaction. `actor` is who
    /// tripped (nil for a rule): its name goes on the incident, its uid and note on the audit row.
    func createIncidentDirect(scope: Scope, ruleId: String?, actor: AuditActor?, reason: String, deadlineAt: Int64?, now: Int64, journalKey: String? = nil) throws -> IncidentRecord {
        return try write { db in
            try db.cached("""
                INSERT INTO incidents (scope_venue, scope_account, scope_symbol, rule_id, actor, reason, state, tripped_at, deadline_at, journal_key)
                VALUES (?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)
                """).bind([SQLiteValue(scope.venue), SQLiteValue(scope.account), SQLiteValue(scope.symbol), SQLiteValue(ruleId),
                          SQLiteValue(actor?.name), .text(reason), .integer(now), SQLiteValue(deadlineAt), SQLiteValue(journalKey)]).run()
            let id = db.lastInsertRowID
            try appendAudit(db, at: now, kind: "trip", incidentId: id, actor: actor ?? ruleId.map { AuditActor(name: $0) }, detail: [
                "scope": scope.description, "reason": reason, "rule": ruleId ?? "",
            ])
            return IncidentRecord(id: id, scope: scope, ruleId: ruleId, actor: actor?.name, reason: reason, state: .running, trippedAt: now,
                                  deadlineAt: deadlineAt, endedAt: nil, summary: nil, rearmedAt: nil, rearmedBy: nil, rearmReason: nil, rearmForced: false)
        }
    }

    public func incident(id: Int64) throws -> IncidentRecord? {
        let s = try db.cached("SELECT \(Store.incidentColumns) FROM incidents WHERE id = ?").bind(1, id)
        return try s.step() ? Store.readIncident(s) : nil
    }

    /// Incidents whose fan-out was running (to resume after a restart).
    public func runningIncidents() throws -> [IncidentRecord] {
        let s = try db.prepare("SELECT \(Store.incidentColumns) FROM incidents WHERE state = 'running' ORDER BY id")
        var out: [IncidentRecord] = []
        while try s.step() { out.append(Store.readIncident(s)) }
        return out
    }

    /// Incidents still latched (not re-armed): their scopes are tripped.
    public func latchedIncidents() throws -> [IncidentRecord] {
        let s = try db.prepare("SELECT \(Store.incidentColumns) FROM incidents WHERE rearmed_at IS NULL ORDER BY id")
        var out: [IncidentRecord] = []
        while try s.step() { out.append(Store.readIncident(s)) }
        return out
    }

    /// Writes the intent for one request and commits it: called before the request is sent.
    public func recordIntent(incidentId: Int64, attempt: Int, venueId: String, symbol: String?, kind: String, targets: [CancelTarget]) throws -> Int64 {
        try recordIntents(incidentId: incidentId, venueId: venueId, kind: kind, requests: [(attempt, symbol, targets)])[0]
    }

    /// Writes the intents of several requests (one fan-out step of a venue) in one commit, before any of them
    /// is sent: one transaction instead of one per request keeps the single writer off the cancel path.
    func recordIntentsDirect(incidentId: Int64, venueId: String, kind: String,
                             requests: [(attempt: Int, symbol: String?, targets: [CancelTarget])], now: Int64, journalKey: String? = nil) throws -> [Int64] {
        let account = venues[venueId]?.account ?? ""
        // Written by hand (Core's JSONText): `JSONEncoder` was a sixth of the trip's one transaction.
        let rows = requests.map { request in
            ("[" + request.targets.map { String($0.orderId) }.joined(separator: ",") + "]", JSONText.stringArray(request.targets.map(\.wireId)))
        }
        return try write { db in
            try zip(requests, rows).map { request, row in
                try db.cached("""
                    INSERT INTO cancel_intents (incident_id, attempt, venue_id, account, symbol, kind, order_ids, wire_ids, sent_at, journal_key)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """).bind([.integer(incidentId), .integer(Int64(request.attempt)), .text(venueId), .text(account), SQLiteValue(request.symbol),
                              .text(kind), .text(row.0), .text(row.1), .integer(now), SQLiteValue(journalKey)]).run()
                return db.lastInsertRowID
            }
        }
    }

    /// Records a request's answer (or the lack of one) and one outcome row per order, and moves terminal
    /// orders' status through an order event — all in one transaction.
    func recordAnswerDirect(incidentId: Int64, intentId: Int64, httpStatus: Int?, venueCode: String?, rawBody: String,
                            latencyNanoseconds: Int64, transportError: String?, outcomes: [OrderCancelOutcome], attempts: [Int64: Int], now: Int64) throws {
        try write { db in
            try db.cached("""
                INSERT INTO cancel_responses (intent_id, answered_at, http_status, venue_code, latency_us, transport_error, raw_body)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """).bind([.integer(intentId), .integer(now), SQLiteValue(httpStatus.map(Int64.init)), SQLiteValue(venueCode),
                          .integer(latencyNanoseconds / 1_000), SQLiteValue(transportError), .text(rawBody)]).run()
            try insertOutcomes(db, incidentId: incidentId, intentId: intentId, outcomes: outcomes, attempts: attempts, now: now)
        }
    }

    /// Outcomes decided without a cancel answer (verification by listing), linked to the listing's intent.
    func recordVerifiedDirect(incidentId: Int64, intentId: Int64?, outcomes: [OrderCancelOutcome], attempts: [Int64: Int], now: Int64) throws {
        try write { db in
            try insertOutcomes(db, incidentId: incidentId, intentId: intentId, outcomes: outcomes, attempts: attempts, now: now, verifying: true)
        }
    }

    /// Outcome rows per multi-row INSERT: thousands of outcomes (a cancel-all's verification) go in a few dozen
    /// statements, each value bound directly, instead of one statement and one bound array per row.
    static let outcomeRowsPerInsert = 64

    private func insertOutcomes(_ db: SQLiteConnection, incidentId: Int64, intentId: Int64?, outcomes: [OrderCancelOutcome], attempts: [Int64: Int], now: Int64,
                                verifying: Bool = false) throws {
        // An order with no row (a listed order whose row could not be written: `ListingAdoption.unrecorded`)
        // has nothing to point at; its request and answer are still recorded whole.
        let rows = outcomes.filter { $0.target.orderId > 0 }
        let columns = "INSERT INTO cancel_outcomes (intent_id, incident_id, order_id, attempt, outcome, venue_code, message, recorded_at) VALUES "
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(rows.count, start + Self.outcomeRowsPerInsert)]
            let insert = try db.cached(columns + Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", "))
            var index: Int32 = 1
            for outcome in chunk {
                let orderId = outcome.target.orderId
                insert.bind(index, intentId).bind(index + 1, incidentId).bind(index + 2, orderId).bind(index + 3, Int64(attempts[orderId] ?? 1))
                    .bind(index + 4, outcome.kind.rawValue).bind(index + 5, outcome.venueCode).bind(index + 6, outcome.message).bind(index + 7, now)
                index += 8
            }
            try insert.run()
            insert.reset()
            start += chunk.count
        }
        var closing: [(orderId: Int64, eventId: String)] = []
        for outcome in rows {
            // "Not found" for a client id can mean the venue forgot the id (Gate spot keeps a text id 30 minutes),
            // not that the order is gone: that is provisional until a listing confirms it (`recordVerified`).
            let provisional = outcome.kind == .alreadyClosed && outcome.target.usesClientId && intentId != nil && !verifying
            if (outcome.kind == .cancelled || outcome.kind == .alreadyClosed || outcome.kind == .closedAfterCancelAll) && !provisional {
                closing.append((outcome.target.orderId, "ks:\(incidentId):\(intentId ?? 0):\(outcome.target.orderId):\(outcome.kind.rawValue)"))
            }
        }
        try closeOrders(db, closing, now: now)
    }

    private func closeOrders(_ db: SQLiteConnection, _ closing: [(orderId: Int64, eventId: String)], now: Int64) throws {
        guard closing.count >= 16 else {
            for item in closing { try closeOrder(db, orderId: item.orderId, eventId: item.eventId, now: now) }
            return
        }
        // Event ids are `ks:` and digits, colons and an outcome name: nothing to escape in JSON.
        let pairs = "[" + closing.map { "[\($0.orderId),\"\($0.eventId)\"]" }.joined(separator: ",") + "]"
        let ids = "(SELECT CAST(json_extract(value, '$[0]') AS INTEGER) FROM json_each(?1))"
        try db.cached("""
            INSERT OR IGNORE INTO order_events (event_id, order_id, source, venue_id, account, symbol, venue_order_id, client_order_id, status, received_at)
            SELECT json_extract(j.value, '$[1]'), o.id, 'venue', o.venue_id, o.account, o.symbol, o.venue_order_id, o.client_order_id, 'cancelled', ?2
            FROM json_each(?1) j JOIN orders o ON o.id = CAST(json_extract(j.value, '$[0]') AS INTEGER)
            """).bind([.text(pairs), .integer(now)]).run()
        let open = try db.cached("SELECT status, count(*) FROM orders WHERE id IN \(ids) AND status IN ('new', 'acknowledged', 'partiallyFilled') GROUP BY status")
            .bind([.text(pairs)])
        var changes: [(OrderStatus, Int64)] = []
        while try open.step() {
            if let status = OrderStatus(rawValue: open.text(0) ?? "") { changes.append((status, open.int(1))) }
        }
        open.reset()
        try db.cached("UPDATE orders SET status = 'cancelled', updated_at = ?2 WHERE id IN \(ids) AND status IN ('new', 'acknowledged', 'partiallyFilled')")
            .bind([.text(pairs), .integer(now)]).run()
        for (status, count) in changes {
            for _ in 0..<count { statusChanged(from: status, to: .cancelled) }
        }
    }

    /// The venue says the order is no longer open: record it as an order event (source `venue`) and
    /// move the order to `cancelled` unless it already reached a terminal state.
    private func closeOrder(_ db: SQLiteConnection, orderId: Int64, eventId: String, now: Int64) throws {
        let s = try db.cached("SELECT venue_id, account, symbol, venue_order_id, client_order_id, status FROM orders WHERE id = ?").bind(1, orderId)
        guard try s.step() else { return }
        let current = OrderStatus(rawValue: s.text(5) ?? "") ?? .new
        let row: [SQLiteValue] = [.text(eventId), .integer(orderId), .text(s.text(0) ?? ""), .text(s.text(1) ?? ""), .text(s.text(2) ?? ""), SQLiteValue(s.text(3)), SQLiteValue(s.text(4))]
        s.reset()
        try db.cached("""
            INSERT OR IGNORE INTO order_events (event_id, order_id, source, venue_id, account, symbol, venue_order_id, client_order_id, status, received_at)
            VALUES (?, ?, 'venue', ?, ?, ?, ?, ?, 'cancelled', ?)
            """).bind(row + [.integer(now)]).run()
        if !current.isTerminal {
            try db.cached("UPDATE orders SET status = 'cancelled', updated_at = ? WHERE id = ?").bind([.integer(now), .integer(orderId)]).run()
            statusChanged(from: current, to: .cancelled)
        }
    }

    /// Ends the incident's fan-out (`flat` or `incomplete`) with its summary, and audits it.
    func finishIncidentDirect(id: Int64, state: IncidentRecord.State, summary: String, now: Int64) throws {
        try write { db in
            try db.cached("UPDATE incidents SET state = ?, ended_at = ?, summary = ? WHERE id = ?")
                .bind([.text(state.rawValue), .integer(now), .text(summary), .integer(id)]).run()
            try appendAudit(db, at: now, kind: "incident-end", incidentId: id, actor: nil, detail: ["state": state.rawValue, "summary": summary])
        }
    }

    /// Marks a finished incident running again — an order found inside its latched scope, or an operator's
    /// retry — under a fresh deadline (the old one has usually passed: keeping it would end the new fan-out
    /// at once), audits why, and returns the record. The latch is untouched.
    func reopenIncidentDirect(id: Int64, auditKind: String, actor: AuditActor?, detail: [String: String], deadlineAt: Int64?, now: Int64) throws -> IncidentRecord? {
        return try write { db in
            try db.cached("UPDATE incidents SET state = 'running', ended_at = NULL, deadline_at = ? WHERE id = ?")
                .bind([SQLiteValue(deadlineAt), .integer(id)]).run()
            guard db.changes == 1 else { return nil }
            try appendAudit(db, at: now, kind: auditKind, incidentId: id, actor: actor, detail: detail)
            let s = try db.cached("SELECT \(Store.incidentColumns) FROM incidents WHERE id = ?").bind(1, id)
            return try s.step() ? Store.readIncident(s) : nil
        }
    }

    /// Re-arms an incident's scope (the caller has checked the rule's condition, or `forced` is set). The
    /// incident keeps the operator's name; the audit row its uid and note too.
    public func rearm(incidentId: Int64, operator actor: AuditActor, reason: String, forced: Bool) throws {
        let now = clock.now()
        try write { db in
            try db.cached("UPDATE incidents SET rearmed_at = ?, rearmed_by = ?, rearm_reason = ?, rearm_forced = ? WHERE id = ? AND rearmed_at IS NULL")
                .bind([.integer(now), .text(actor.name), .text(reason), .integer(forced ? 1 : 0), .integer(incidentId)]).run()
            try appendAudit(db, at: now, kind: forced ? "rearm-forced" : "rearm", incidentId: incidentId, actor: actor, detail: ["reason": reason])
        }
    }

    /// What was done so far in an incident, for resuming it after a crash.
    public func resumeState(incidentId: Int64) throws -> IncidentResumeState {
        var attempts: [Int64: Int] = [:]
        var unanswered: Set<Int64> = []
        let intents = try db.prepare("""
            SELECT i.attempt, i.order_ids, r.id IS NULL FROM cancel_intents i LEFT JOIN cancel_responses r ON r.intent_id = i.id
            WHERE i.incident_id = ? AND i.kind = 'batch-cancel' ORDER BY i.id
            """).bind(1, incidentId)
        while try intents.step() {
            let attempt = Int(intents.int(0))
            let ids = (try? JSONDecoder().decode([Int64].self, from: Data((intents.text(1) ?? "[]").utf8))) ?? []
            for id in ids {
                attempts[id] = max(attempts[id] ?? 0, attempt)
                if intents.int(2) != 0 { unanswered.insert(id) } else { unanswered.remove(id) }
            }
        }
        // Cancel-alls sent without an answer leave their symbol's orders unverified too.
        let cancelAlls = try db.prepare("""
            SELECT i.venue_id, i.symbol FROM cancel_intents i LEFT JOIN cancel_responses r ON r.intent_id = i.id
            WHERE i.incident_id = ? AND i.kind = 'cancel-all' AND r.id IS NULL
            """).bind(1, incidentId)
        while try cancelAlls.step() {
            let open = try OrderQueries.orders(db, OrderFilter(scope: Scope(venue: cancelAlls.text(0), symbol: cancelAlls.text(1))))
            unanswered.formUnion(open.map(\.id))
        }
        var terminal: [Int64: CancelOutcomeKind] = [:]
        let outcomes = try db.prepare("SELECT order_id, outcome FROM cancel_outcomes WHERE incident_id = ? ORDER BY id").bind(1, incidentId)
        while try outcomes.step() {
            let kind = CancelOutcomeKind(rawValue: outcomes.text(1) ?? "") ?? .unknown
            if kind.isTerminal { terminal[outcomes.int(0)] = kind } else { terminal.removeValue(forKey: outcomes.int(0)) }
        }
        return IncidentResumeState(attempts: attempts, unanswered: unanswered, terminal: terminal)
    }

    func appendAuditDirect(kind: String, incidentId: Int64?, actor: AuditActor?, detail: [String: String], now: Int64) throws {
        try write { db in try appendAudit(db, at: now, kind: kind, incidentId: incidentId, actor: actor, detail: detail) }
    }

    func appendAudit(_ db: SQLiteConnection, at: Int64, kind: String, incidentId: Int64?, actor: AuditActor?, detail: [String: String]) throws {
        let json = AuditDetailJSON.encode(detail)
        try db.cached("INSERT INTO audit_events (at, kind, incident_id, actor, actor_uid, actor_note, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind([.integer(at), .text(kind), SQLiteValue(incidentId), SQLiteValue(actor?.name), SQLiteValue(actor?.uid.map(Int64.init)),
                   SQLiteValue(actor?.note), .text(json)]).run()
    }
}

extension Store {
    /// Each heartbeat source's last heartbeat (wall-clock ms), as recorded.
    public func lastHeartbeats() throws -> [String: Int64] {
        let s = try db.prepare("SELECT source, last_at FROM heartbeats")
        var out: [String: Int64] = [:]
        while try s.step() { out[s.text(0) ?? ""] = s.int(1) }
        return out
    }

    /// Whether the previous daemon on this database stopped without saying so (a crash, kill -9, power
    /// loss): its last `daemon-start` audit event has no `daemon-stop` after it.
    public func previousRunCrashed() throws -> Bool {
        let s = try db.prepare("SELECT kind FROM audit_events WHERE kind IN ('daemon-start', 'daemon-stop') ORDER BY id DESC LIMIT 1")
        return try s.step() && s.text(0) == "daemon-start"
    }

    /// Records that `source` heartbeated, and who sent it (for the audit and status; deadlines run on the
    /// daemon's monotonic clock).
    public func recordHeartbeat(source: String, caller: AuditActor? = nil) throws {
        let now = clock.now()
        try health.recording {
            try db.cached("""
                INSERT INTO heartbeats (source, last_at, count, last_caller, last_caller_uid) VALUES (?, ?, 1, ?, ?)
                ON CONFLICT (source) DO UPDATE SET last_at = excluded.last_at, count = count + 1,
                    last_caller = excluded.last_caller, last_caller_uid = excluded.last_caller_uid
                """).bind([.text(source), .integer(now), SQLiteValue(caller?.name), SQLiteValue(caller?.uid.map(Int64.init))]).run()
        }
    }
}
