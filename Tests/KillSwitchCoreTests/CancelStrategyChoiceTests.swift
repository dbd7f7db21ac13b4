import Testing
@testable import KillSwitchCore

/// `auto`'s choice: the faster of by id and the venue's cancel-all, from the orders held and the limits; never
/// a cancel-all the eligibility check refuses; by-id is by-id.
@Suite struct CancelStrategyChoiceTests {
    static func orders(_ count: Int, symbols: [String] = ["A", "B", "C", "D"]) -> [PlannedOrder] {
        (0..<count).map { PlannedOrder(target: CancelTarget(orderId: Int64($0 + 1), symbol: symbols[$0 % symbols.count], venueOrderId: "\($0 + 1)", clientOrderId: nil)) }
    }

    /// A pool of `burst` requests refilled at `perSecond`, as the engine measures one.
    static func drain(burst: Int, perSecond: Double) -> (VenueOperation, Int) -> Double {
        { _, requests in max(0, Double(requests - burst)) / perSecond }
    }

    @Test func byIdIsByIdWhateverTheCounts() {
        let choice = CancelStrategyChoice.choose(strategy: .byId, kind: .bitgetMix, wholesale: .allowed, scopeSymbol: nil, orders: Self.orders(2_000),
                                                 drainSeconds: Self.drain(burst: 10, perSecond: 10))
        #expect(choice.plan == .byId)
    }

    @Test func bitgetAtTwoThousandOrdersTakesItsOneCancelAll() {
        // 40 batch cancels at 10 a second are ~3 s; cancel-all-orders is one request.
        let choice = CancelStrategyChoice.choose(strategy: .auto, kind: .bitgetMix, wholesale: .allowed, scopeSymbol: nil, orders: Self.orders(2_000),
                                                 drainSeconds: Self.drain(burst: 10, perSecond: 10))
        #expect(choice.plan == .cancelAll(.entry))
        #expect(choice.reason.contains("40 request(s)"))
    }

    @Test func htxAtTwoThousandOrdersStaysByIdItsCancelAllGoesInRounds() {
        // 40 batch cancels fit one burst (one round trip); batchCancelOpenOrders takes 100 a call, 20 rounds.
        let choice = CancelStrategyChoice.choose(strategy: .auto, kind: .htxSpot, wholesale: .allowed, scopeSymbol: nil, orders: Self.orders(2_000),
                                                 drainSeconds: Self.drain(burst: 50, perSecond: 25))
        #expect(choice.plan == .byId)
        #expect(choice.reason.contains("20 request(s) in 5 round(s)"), "four symbol groups of 5 rounds side by side: \(choice.reason)")
    }

    @Test func htxAtAHundredThousandRunsOneCancelAllPerSymbolInParallel() {
        // 20,000 orders on 4 symbols: 400 batch cancels at 50 / 2 s (≈ 14 s) against 4 loops of 50 rounds each,
        // side by side (one loop of 200 rounds would be more than the client runs).
        let choice = CancelStrategyChoice.choose(strategy: .auto, kind: .htxSpot, wholesale: .allowed, scopeSymbol: nil, orders: Self.orders(20_000),
                                                 drainSeconds: Self.drain(burst: 50, perSecond: 25))
        #expect(choice.plan == .cancelAll(.symbols(["a", "b", "c", "d"])), "in HTX's case: \(choice.reason)")
        // More than 50 rounds on one symbol: by id.
        let one = CancelStrategyChoice.choose(strategy: .auto, kind: .htxSpot, wholesale: .allowed, scopeSymbol: nil, orders: Self.orders(20_000, symbols: ["A"]),
                                              drainSeconds: Self.drain(burst: 50, perSecond: 25))
        #expect(one.plan == .byId)
    }

    @Test func aSmallBookStaysByIdWhoseAnswersNameEveryOrder() {
        // 5 batch cancels inside the burst against one cancel-all: not worth losing the venue's word per order.
        let choice = CancelStrategyChoice.choose(strategy: .auto, kind: .gateFutures, wholesale: .allowed, scopeSymbol: nil, orders: Self.orders(100),
                                                 drainSeconds: Self.drain(burst: 200, perSecond: 200))
        #expect(choice.plan == .byId)
    }

    @Test func aHundredRequestsInsideTheBurstStillCostMoreThanOne() {
        // Gate at 2,000 orders: 100 batch cancels fit the 200/s burst, but each is an intent, an answer and 20
        // outcome rows on the one store writer; the cancel-all is one request.
        let choice = CancelStrategyChoice.choose(strategy: .auto, kind: .gateFutures, wholesale: .allowed, scopeSymbol: nil, orders: Self.orders(2_000),
                                                 drainSeconds: Self.drain(burst: 200, perSecond: 200))
        #expect(choice.plan == .cancelAll(.entry))
    }

    @Test func aSymbolScopeTakesThePerSymbolCancelAllAndBinanceOneASymbol() {
        let slow = Self.drain(burst: 1, perSecond: 1)
        #expect(CancelStrategyChoice.choose(strategy: .auto, kind: .gateSpot, wholesale: .allowed, scopeSymbol: "btc_usdt", orders: Self.orders(100, symbols: ["BTC_USDT"]),
                                            drainSeconds: slow).plan == .cancelAll(.symbols(["BTC_USDT"])))
        #expect(CancelStrategyChoice.choose(strategy: .auto, kind: .binanceCoinM, wholesale: .allowed, scopeSymbol: nil, orders: Self.orders(100, symbols: ["X", "Y"]),
                                            drainSeconds: slow).plan == .cancelAll(.symbols(["X", "Y"])))
    }

    @Test func neverACancelAllTheEligibilityCheckRefuses() {
        let choice = CancelStrategyChoice.choose(strategy: .auto, kind: .bitgetMix, wholesale: .refused("venue v has keep rules"), scopeSymbol: nil,
                                                 orders: Self.orders(2_000), drainSeconds: Self.drain(burst: 10, perSecond: 10))
        #expect(choice.plan == .byId)
        #expect(choice.reason.contains("keep rules"))
        // And the machine refuses a planned cancel-all on its own when the check does.
        let machine = VenueCancelStateMachine(venueId: "v", kind: .bitgetMix, symbolScope: nil, escalateAfter: 3, orders: Self.orders(3),
                                              wholesale: .refused("no"), plan: .cancelAll(.entry))
        #expect(machine.plan == .byId)
    }
}
