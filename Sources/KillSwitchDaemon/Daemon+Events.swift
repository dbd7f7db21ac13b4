import Foundation
import KillSwitchCore
import KillSwitchStore

extension Daemon {
    /// Stores a batch of order events (acknowledged only after commit), feeds the rules, and cancels on sight
    /// any open order learned inside a tripped scope. `caller` (who sent the batch) is recorded on each event.
    public func ingest(_ events: [Result<OrderEvent, EventError>], caller: AuditActor? = nil) async throws -> [IngestResult] {
        let results = try await store.ingest(events, caller: caller)
        killSwitchMetrics.ordersChanged()
        var newOrders: [(venue: String, account: String, symbol: String)] = []
        var rejects = 0
        var touched: [Int64] = []
        var changedPlaces: [(venue: String, account: String, symbol: String)] = []
        for (event, result) in zip(events, results) {
            guard case .success(let event) = event, case .stored(let orderId, let status, let isNew) = result else { continue }
            changedPlaces.append((event.venueId, event.account, event.symbol))
            if isNew { newOrders.append((event.venueId, event.account, event.symbol)) }
            if event.status == .rejected { rejects += 1 }
            if status.isOpen { touched.append(orderId) }
        }
        // A per-symbol countdown (Binance) is armed on first sight of an open order on its symbol.
        countdowns.saw(openOrdersOn: zip(events, results).compactMap { event, result in
            guard case .success(let event) = event, case .stored(_, let status, _) = result, status.isOpen else { return nil }
            return (event.venueId, event.symbol)
        })
        await rules.ordersIngested(newOrders: newOrders, rejects: rejects)
        let latched = await engine.latchedIncidents
        if !latched.isEmpty && !touched.isEmpty {
            await engine.learned(try await store.orders(ids: touched))
        }
        // Only exposure rules whose scope this batch changed are measured (each measure reads the scope's
        // open orders); a batch that stored nothing measures none.
        guard !changedPlaces.isEmpty else { return results }
        await checkKeptNotional(events: zip(events, results).compactMap { event, result in
            guard case .success(let event) = event, case .stored = result else { return nil }
            return event
        })
        let store = self.store
        let venues = Dictionary(configuration.venueDescriptors.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        await rules.exposureChanged(touching: changedPlaces) { scope in
            let orders = (try? await store.orders(OrderFilter(scope: scope, openOnly: true))) ?? []
            var notional = Decimal(0)
            for order in orders {
                if let venue = venues[order.venueId] { notional += TripEngine.notional(order, venue: venue) }
            }
            return (orders.count, DecimalAmount(notional))
        }
        return results
    }

    /// A heartbeat from `source`, sent by `caller`. Returns false when no rule watches it.
    @discardableResult
    public func heartbeat(source: String, caller: AuditActor? = nil) async throws -> Bool {
        let known = await rules.heartbeat(source: source)
        try await store.recordHeartbeat(source: source, caller: caller)
        return known
    }

    public enum RearmError: Error, CustomStringConvertible, Equatable {
        case unknownIncident(Int64)
        case notLatched(Int64)
        case conditionStillHolds(ruleId: String)

        public var description: String {
            switch self {
            case .unknownIncident(let id): "no incident \(id)"
            case .notLatched(let id): "incident \(id) is already re-armed"
            case .conditionStillHolds(let rule): "rule \(rule) still holds: re-arm refused (use force to override; it is audited)"
            }
        }
    }

    /// Re-arms an incident's scope: refused while its rule's condition still holds, unless forced (audited).
    /// `actor` is the operator as the control API identified them (their typed name only as its note).
    public func rearm(incidentId: Int64, operator actor: AuditActor, reason: String, force: Bool) async throws {
        guard let incident = try await store.incident(id: incidentId) else { throw RearmError.unknownIncident(incidentId) }
        guard incident.isLatched else { throw RearmError.notLatched(incidentId) }
        if let ruleId = incident.ruleId, !force, await rules.conditionHolds(ruleId: ruleId, scope: incident.scope) {
            throw RearmError.conditionStillHolds(ruleId: ruleId)
        }
        // Allowed whether or not a fan-out runs; once committed, nothing new is sent for the scope.
        try await store.rearm(incidentId: incidentId, operator: actor, reason: reason, forced: force)
        await engine.unlatch(incidentId)
        events.publish(.rearmed(incident, operator: actor.name, reason: reason, forced: force))
        if let ruleId = incident.ruleId { await rules.rearmed(ruleId: ruleId, scope: incident.scope) }
    }
}

extension Daemon {
    /// A warning for a trip whose symbol no venue in scope has listed or tracked (nor configured as a
    /// contract): the trip latched anyway — tripping is always allowed — but the operator should know it
    /// probably meant something else. nil when the symbol is known or the scope names none.
    public func unknownSymbolWarning(_ scope: Scope) async -> String? {
        guard let symbol = scope.symbol else { return nil }
        let venues = TripScope(scope).venues(in: configuration.venueDescriptors)
        let tracked = (try? await store.knownSymbols()) ?? [:]
        var known: Set<String> = []
        for venue in venues {
            known.formUnion(tracked[venue.id] ?? [])
            known.formUnion(venue.contracts.keys)
        }
        if known.contains(where: { $0.lowercased() == symbol.lowercased() }) { return nil }
        let near = SymbolSuggestions.nearMatches(for: symbol, in: known)
        let hint = near.isEmpty ? "no similar symbol is known" : "near matches: \(near.joined(separator: ", "))"
        return "symbol \"\(symbol)\" was never listed or tracked on \(venues.map(\.id).joined(separator: ", ")) (the scope is latched anyway); \(hint)"
    }
}
