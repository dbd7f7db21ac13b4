import KillSwitchCore
import Testing
@testable import KillSwitchDaemon

/// Progress counts each order once, by its latest outcome, so status and `--follow` never double count an
/// order answered `pending` and later verified `cancelled`.
@Suite struct IncidentProgressTests {
    func outcome(_ id: String, _ kind: CancelOutcomeKind, symbol: String = "BTC_USDT") -> OrderCancelOutcome {
        OrderCancelOutcome(target: CancelTarget(orderId: 1, symbol: symbol, venueOrderId: id, clientOrderId: nil), kind: kind)
    }

    @Test func latestOutcomeReplacesThePreviousOne() {
        let progress = IncidentProgress()
        progress.requestSent(venueId: "htx")
        progress.record(venueId: "htx", outcomes: [outcome("1", .pending), outcome("2", .cancelled), outcome("3", .rateLimited)], latencyNanoseconds: 10)
        var counts = progress.snapshot["htx"]!
        #expect(counts.orders == 3 && counts.outstanding == 2)
        #expect(counts.outcomes == ["pending": 1, "cancelled": 1, "rateLimited": 1])
        progress.record(venueId: "htx", outcomes: [outcome("1", .cancelled), outcome("3", .alreadyClosed)])
        counts = progress.snapshot["htx"]!
        #expect(counts.orders == 3 && counts.outstanding == 0)
        #expect(counts.outcomes == ["cancelled": 2, "alreadyClosed": 1])
        #expect(counts.requests == 1 && counts.answered == 1 && counts.totalLatencyNanoseconds == 10)
    }

    @Test func sameIdOnAnotherSymbolIsAnotherOrder() {
        let progress = IncidentProgress()
        progress.record(venueId: "gate", outcomes: [outcome("9", .cancelled, symbol: "A"), outcome("9", .unknown, symbol: "B")])
        #expect(progress.snapshot["gate"]?.orders == 2)
        #expect(progress.snapshot["gate"]?.outstanding == 1)
    }
}
