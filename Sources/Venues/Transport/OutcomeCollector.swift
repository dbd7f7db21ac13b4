import KillSwitchCore

/// Pairs per-order answers with the batch's targets by id, so every target gets exactly one outcome:
/// answers for ids we did not send are ignored, targets the venue did not mention become `unknown`.
struct OutcomeCollector {
    private let targets: [CancelTarget]
    private var assigned: [OrderCancelOutcome?]

    init(_ targets: [CancelTarget]) {
        self.targets = targets
        assigned = Array(repeating: nil, count: targets.count)
    }

    /// Assigns `c` to the first unanswered target whose venue or client id is among `ids`.
    /// Returns false when no target matched.
    @discardableResult
    mutating func assign(ids: [String?], _ c: Classification) -> Bool {
        let wanted = Set(ids.compactMap { $0 }.filter { !$0.isEmpty })
        guard !wanted.isEmpty else { return false }
        // Venue ids first: a client id could collide with another order's venue id only by accident.
        let index = targets.indices.first { assigned[$0] == nil && targets[$0].venueOrderId.map { wanted.contains($0) } == true }
            ?? targets.indices.first { assigned[$0] == nil && targets[$0].clientOrderId.map { wanted.contains($0) } == true }
        guard let index else { return false }
        assigned[index] = OrderCancelOutcome(target: targets[index], kind: c.kind, venueCode: c.code, message: c.message)
        return true
    }

    /// Assigns by position (Binance answers element by element in request order).
    mutating func assign(at index: Int, _ c: Classification) {
        guard targets.indices.contains(index), assigned[index] == nil else { return }
        assigned[index] = OrderCancelOutcome(target: targets[index], kind: c.kind, venueCode: c.code, message: c.message)
    }

    func finish(missing: String = "the venue's answer did not mention this order") -> [OrderCancelOutcome] {
        targets.indices.map { assigned[$0] ?? OrderCancelOutcome(target: targets[$0], kind: .unknown, venueCode: nil, message: missing) }
    }
}
