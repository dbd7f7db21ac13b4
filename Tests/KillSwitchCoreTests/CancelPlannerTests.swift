import Foundation
import Testing
@testable import KillSwitchCore

@Suite struct CancelPlannerTests {
    static func orders(_ count: Int, symbols: [String] = ["BTC_USDT"], clientIdsEvery: Int = 0) -> [PlannedOrder] {
        (0..<count).map { i in
            let useClient = clientIdsEvery > 0 && i % clientIdsEvery == 0
            return PlannedOrder(
                target: CancelTarget(orderId: Int64(i + 1), symbol: symbols[i % symbols.count], venueOrderId: useClient ? nil : "v\(i)", clientOrderId: "c\(i)"),
                notional: Double(i)
            )
        }
    }

    @Test(arguments: VenueKind.allCases)
    func splitsAtTheBatchLimit(kind: VenueKind) {
        let limit = kind.batchLimit
        for count in [1, limit, limit + 1, 1_000] {
            let batches = CancelPlanner.batches(venueId: "v", kind: kind, orders: Self.orders(count))
            #expect(batches.allSatisfy { $0.targets.count <= limit })
            #expect(batches.reduce(0) { $0 + $1.targets.count } == count)
            #expect(batches.count == (count + limit - 1) / limit)
            #expect(Set(batches.flatMap(\.targets).map(\.orderId)).count == count)
        }
    }

    /// Venue order ids are ASCII digits, at most 32: anything else goes by its client id (or the listing's id).
    @Test func aVenueOrderIdIsAtMost32AsciiDigits() {
        let kind = VenueKind.gateFutures
        #expect(kind.acceptsVenueOrderId("123456789012"))
        #expect(kind.acceptsVenueOrderId(String(repeating: "9", count: 32)))
        #expect(!kind.acceptsVenueOrderId(String(repeating: "9", count: 33)))
        #expect(!kind.acceptsVenueOrderId(""))
        #expect(!kind.acceptsVenueOrderId("12a4"))
        #expect(!kind.acceptsVenueOrderId("-12"))
        #expect(!kind.acceptsVenueOrderId("١٢٣"), "digits, but not ASCII")
        #expect(!kind.acceptsVenueOrderId("１２３"), "full-width digits")
        let target = CancelTarget(orderId: 1, symbol: "BTC_USDT", venueOrderId: "t-123", clientOrderId: "t-bot-1")
        #expect(target.usable(by: kind).venueOrderId == nil && target.usable(by: kind).clientOrderId == "t-bot-1")
    }

    @Test func perSymbolVenuesNeverMixSymbols() {
        for kind in [VenueKind.bitgetMix, .binanceCoinM] {
            let batches = CancelPlanner.batches(venueId: "v", kind: kind, orders: Self.orders(1_000, symbols: ["A", "B", "C", "D"]))
            for batch in batches {
                #expect(batch.symbol != nil)
                #expect(batch.targets.allSatisfy { $0.symbol == batch.symbol })
            }
            // 250 per symbol: ceil(250 / limit) batches each.
            #expect(batches.count == 4 * ((250 + kind.batchLimit - 1) / kind.batchLimit))
        }
    }

    @Test func multiSymbolVenuesMixSymbols() {
        for kind in [VenueKind.gateSpot, .gateFutures, .htxSpot] {
            let batches = CancelPlanner.batches(venueId: "v", kind: kind, orders: Self.orders(kind.batchLimit, symbols: ["A", "B"]))
            #expect(batches.count == 1)
            #expect(Set(batches[0].targets.map(\.symbol)) == ["A", "B"])
            #expect(batches[0].symbol == nil)
        }
    }

    @Test func clientIdsGoInTheirOwnRequestsOnlyOnHTXAndBinance() {
        let orders = Self.orders(10, clientIdsEvery: 2)
        let binance = CancelPlanner.batches(venueId: "v", kind: .binanceCoinM, orders: orders)
        #expect(binance.count == 2)
        for batch in binance { #expect(batch.targets.allSatisfy { $0.usesClientId == batch.byClientId }) }
        let bitget = CancelPlanner.batches(venueId: "v", kind: .bitgetMix, orders: orders)
        #expect(bitget.count == 1)
        #expect(CancelPlanner.batches(venueId: "v", kind: .gateSpot, orders: orders).count == 1)
        #expect(CancelPlanner.batches(venueId: "v", kind: .htxSpot, orders: orders).count == 2)
    }

    @Test func largestNotionalFirst() {
        let batches = CancelPlanner.batches(venueId: "v", kind: .binanceCoinM, orders: Self.orders(100, symbols: ["A", "B"]))
        let first = batches[0]
        #expect(first.targets.first?.orderId == 100)
        let totals = batches.map { b in b.targets.reduce(0) { $0 + Int($1.orderId) } }
        #expect(totals == totals.sorted(by: >))
    }
}
