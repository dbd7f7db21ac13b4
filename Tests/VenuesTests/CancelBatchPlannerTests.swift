import KillSwitchCore
@testable import Venues
import Testing


@Suite("Batch planning")
struct CancelBatchPlannerTests {
    static let sizes = [1, 10, 11, 20, 21, 50, 51, 1000]

    func targets(_ n: Int, symbols: [String] = ["S1"], clientEvery: Int = 0) -> [CancelTarget] {
        (0..<n).map { i in
            let client = clientEvery > 0 && i % clientEvery == 0
            return CancelTarget(orderId: Int64(i), symbol: symbols[i % symbols.count], venueOrderId: client ? nil : String(1000 + i), clientOrderId: "c\(i)")
        }
    }

    func expectedCount(_ n: Int, _ limit: Int) -> Int { (n + limit - 1) / limit }

    @Test(arguments: VenueKind.allCases, CancelBatchPlannerTests.sizes) func oneSymbolSplitsToLimit(_ kind: VenueKind, _ n: Int) {
        let batches = CancelPlanner.batches(venueId: "v", kind: kind, targets: targets(n))
        #expect(batches.count == expectedCount(n, kind.batchLimit))
        #expect(batches.allSatisfy { $0.targets.count <= kind.batchLimit && !$0.targets.isEmpty })
        #expect(batches.flatMap(\.targets).map(\.orderId) == (0..<n).map(Int64.init))
        #expect(batches.allSatisfy { $0.venueId == "v" && !$0.byClientId })
    }

    @Test(arguments: VenueKind.allCases) func limitAndLimitPlusOne(_ kind: VenueKind) {
        #expect(CancelPlanner.batches(venueId: "v", kind: kind, targets: targets(1)).map(\.targets.count) == [1])
        #expect(CancelPlanner.batches(venueId: "v", kind: kind, targets: targets(kind.batchLimit)).map(\.targets.count) == [kind.batchLimit])
        #expect(CancelPlanner.batches(venueId: "v", kind: kind, targets: targets(kind.batchLimit + 1)).map(\.targets.count) == [kind.batchLimit, 1])
        #expect(CancelPlanner.batches(venueId: "v", kind: kind, targets: targets(1000)).count == expectedCount(1000, kind.batchLimit))
    }

    @Test(arguments: VenueKind.allCases, CancelBatchPlannerTests.sizes) func manySymbolsFollowTheGroupingRule(_ kind: VenueKind, _ n: Int) {
        let symbols = ["A", "B", "C"]
        let all = targets(n, symbols: symbols)
        let batches = CancelPlanner.batches(venueId: "v", kind: kind, targets: all)
        #expect(Set(batches.flatMap(\.targets)) == Set(all))
        #expect(batches.flatMap(\.targets).count == n)
        if kind.batchIsPerSymbol {
            // One symbol per request, chunked per symbol.
            #expect(batches.allSatisfy { b in b.symbol != nil && b.targets.allSatisfy { $0.symbol == b.symbol } })
            let expected = symbols.map { s in expectedCount(all.filter { $0.symbol == s }.count, kind.batchLimit) }.reduce(0, +)
            #expect(batches.count == expected)
        } else {
            // Any symbols in one request (Gate futures: the account's one settle).
            #expect(batches.allSatisfy { $0.symbol == nil })
            #expect(batches.count == expectedCount(n, kind.batchLimit))
        }
    }

    @Test(arguments: VenueKind.allCases) func venueIdsFirstAndIdTypesSplitWhereRequired(_ kind: VenueKind) {
        let all = targets(1000, clientEvery: 3)
        let batches = CancelPlanner.batches(venueId: "v", kind: kind, targets: all)
        #expect(batches.flatMap(\.targets).count == 1000)
        let flat = batches.flatMap(\.targets)
        let firstClient = flat.firstIndex(where: \.usesClientId)!
        #expect(flat[firstClient...].allSatisfy { $0.usesClientId }, "venue ids come first")
        if kind == .htxSpot || kind == .binanceCoinM {
            #expect(batches.allSatisfy { b in b.targets.allSatisfy { $0.usesClientId == b.byClientId } })
        }
        // Every batch builds into a valid request.
        for batch in batches {
            #expect(throws: Never.self) { try Fixtures.build(.batchCancel(batch), kind) }
        }
    }

    @Test func emptyInputPlansNothing() {
        #expect(CancelPlanner.batches(venueId: "v", kind: .gateSpot, targets: []).isEmpty)
    }
}
