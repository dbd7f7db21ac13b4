/// An incident's cancel fan-out across every venue account in scope: one `VenueCancelStateMachine` per venue
/// account, all driven in parallel, and the incident's end once every venue has finished.
public struct IncidentStateMachine: Sendable {
    public enum Outcome: String, Sendable, Hashable {
        case flat
        case incomplete
    }

    public enum Action: Sendable, Hashable {
        case venue(String, VenueCancelStateMachine.Action)
        /// Every venue finished: the incident ends `flat` or `incomplete`.
        case incidentFinished(Outcome, [VenueCancelResult])
    }

    public let incidentId: Int64
    public private(set) var venues: [String: VenueCancelStateMachine]
    public private(set) var results: [String: VenueCancelResult] = [:]
    public private(set) var outcome: Outcome?

    public init(incidentId: Int64, venues: [VenueCancelStateMachine]) {
        self.incidentId = incidentId
        self.venues = Dictionary(venues.map { ($0.venueId, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public mutating func start() -> [Action] {
        if venues.isEmpty {
            outcome = .flat
            return [.incidentFinished(.flat, [])]
        }
        var actions: [Action] = []
        for id in venues.keys.sorted() {
            actions += apply(id) { $0.start() }
        }
        return actions
    }

    /// Cancel attempts so far per order of a venue (sent orders have at least 1: the machine counts them before
    /// sending).
    public func attempts(_ venueId: String, _ targets: [CancelTarget]) -> [Int64: Int] {
        Dictionary(targets.map { ($0.orderId, venues[venueId]?.attempts(of: $0.orderId) ?? 0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Feeds one venue's event and collects its actions (and the incident's end, when it comes).
    public mutating func apply(_ venueId: String, _ event: (inout VenueCancelStateMachine) -> [VenueCancelStateMachine.Action]) -> [Action] {
        guard venues[venueId] != nil else { return [] }
        // Mutated in place: a copy taken out of the dictionary would share its storage and make the first
        // write copy every tracked order (O(orders) per answer).
        let produced = event(&venues[venueId]!)
        let machine = venues[venueId]!
        var actions: [Action] = []
        for action in produced {
            actions.append(.venue(venueId, action))
            if case .finished(let result) = action {
                results[venueId] = result
            }
        }
        let reopened = results[venueId] != nil && !machine.isFinished
        if reopened {
            results[venueId] = nil
            outcome = nil
        }
        if outcome == nil, results.count == venues.count {
            let all = venues.keys.sorted().compactMap { results[$0] }
            let end: Outcome = all.allSatisfy(\.flat) ? .flat : .incomplete
            outcome = end
            actions.append(.incidentFinished(end, all))
        }
        return actions
    }

    /// An order learned inside the scope while the fan-out runs. nil: its venue's part ended at the deadline
    /// (or the venue cannot be worked), so the caller must start a new fan-out for it.
    public mutating func discovered(venueId: String, _ order: PlannedOrder) -> [Action]? {
        guard venues[venueId] != nil else { return nil }
        var taken = true
        let actions = apply(venueId) { machine in
            guard let actions = machine.discovered(order) else {
                taken = false
                return []
            }
            return actions
        }
        return taken ? actions : nil
    }

    public mutating func deadlineReached() -> [Action] {
        var actions: [Action] = []
        for id in venues.keys.sorted() where !(venues[id]?.isFinished ?? true) {
            actions += apply(id) { $0.deadlineReached() }
        }
        return actions
    }

    public var isFinished: Bool { outcome != nil }
}
