import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchStore

@Suite struct IngestTests {
    @Test func storesAnEventAndCreatesTheOrder() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let results = try await store.ingest([Fixtures.event("e1", status: .acknowledged)])
        guard case .stored(let id, .acknowledged, true) = results[0] else { Issue.record("got \(results)"); return }
        let order = try #require(try await store.order(id: id))
        #expect(order.venueOrderId == "1")
        #expect(order.price == "100")
        #expect(order.quantity == "10")
        #expect(order.filledQuantity == "0")
        #expect(order.contractMultiplier == "100")
    }

    @Test func sameEventTwiceChangesNothing() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let first = try await store.ingest([Fixtures.event("e1", status: .new)])
        let again = try await store.ingest([Fixtures.event("e1", status: .filled, filled: "10")])
        #expect(again == [.duplicate(orderId: first[0].orderId!)])
        let order = try #require(try await store.order(id: first[0].orderId!))
        #expect(order.status == .new)
        let db = try SQLiteConnection(path: dir.file("ks.db"))
        #expect(try db.scalarInt("SELECT count(*) FROM order_events") == 1)
    }

    @Test func duplicateWithinOneBatchIsDetected() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let results = try await store.ingest([Fixtures.event("e1"), Fixtures.event("e1", status: .filled)])
        #expect(results[1] == .duplicate(orderId: results[0].orderId!))
    }

    @Test func lateAcknowledgedAfterFilledDoesNotReopen() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        _ = try await store.ingest([Fixtures.event("e2", status: .filled, filled: "10")])
        let late = try await store.ingest([Fixtures.event("e1", status: .acknowledged, filled: "0")])
        guard case .stored(let id, .filled, false) = late[0] else { Issue.record("got \(late)"); return }
        let order = try #require(try await store.order(id: id))
        #expect(order.status == .filled)
        #expect(order.filledQuantity == "10")
    }

    @Test func lateAcknowledgedDoesNotUndoPartialFill() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        _ = try await store.ingest([Fixtures.event("e2", status: .partiallyFilled, filled: "3")])
        let late = try await store.ingest([Fixtures.event("e1", status: .acknowledged)])
        guard case .stored(_, .partiallyFilled, false) = late[0] else { Issue.record("got \(late)"); return }
    }

    @Test func terminalStatesAreFinal() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        _ = try await store.ingest([Fixtures.event("e1", status: .cancelled)])
        let after = try await store.ingest([Fixtures.event("e2", status: .filled, filled: "10"), Fixtures.event("e3", status: .new)])
        guard case .stored(_, .cancelled, false) = after[0], case .stored(_, .cancelled, false) = after[1] else {
            Issue.record("got \(after)"); return
        }
    }

    @Test func filledQuantityNeverDecreases() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let r = try await store.ingest([
            Fixtures.event("e1", status: .partiallyFilled, filled: "7.5"),
            Fixtures.event("e2", status: .partiallyFilled, filled: "3"),
            Fixtures.event("e3", status: .partiallyFilled, filled: "10"),
            Fixtures.event("e4", status: .partiallyFilled, filled: "9.99"),
        ])
        let order = try #require(try await store.order(id: r[0].orderId!))
        #expect(order.filledQuantity == "10")
    }

    @Test func clientIdThenVenueIdJoinsOneOrder() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let first = try await store.ingest([Fixtures.event("e1", venueOrderId: nil, clientOrderId: "c-1", status: .new)])
        let second = try await store.ingest([Fixtures.event("e2", venueOrderId: "900", clientOrderId: "c-1", status: .acknowledged)])
        let third = try await store.ingest([Fixtures.event("e3", venueOrderId: "900", clientOrderId: nil, status: .partiallyFilled, filled: "2")])
        #expect(first[0].orderId == second[0].orderId)
        #expect(second[0].orderId == third[0].orderId)
        let order = try #require(try await store.order(id: first[0].orderId!))
        #expect(order.venueOrderId == "900")
        #expect(order.clientOrderId == "c-1")
        #expect(order.status == .partiallyFilled)
        #expect(try await store.orders(OrderFilter(openOnly: false)).count == 1)
    }

    @Test func venueOnlyAndClientOnlyRowsMergeWhenAnEventJoinsThem() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let byClient = try await store.ingest([Fixtures.event("e1", venueOrderId: nil, clientOrderId: "c-9", status: .new)])
        let byVenue = try await store.ingest([Fixtures.event("e2", venueOrderId: "77", clientOrderId: nil, status: .partiallyFilled, filled: "4")])
        #expect(byClient[0].orderId != byVenue[0].orderId)
        let joined = try await store.ingest([Fixtures.event("e3", venueOrderId: "77", clientOrderId: "c-9", status: .acknowledged)])
        #expect(joined[0].orderId == byVenue[0].orderId)
        let open = try await store.orders(OrderFilter())
        #expect(open.count == 1)
        #expect(open.first?.clientOrderId == "c-9")
        #expect(open.first?.status == .partiallyFilled)
        // Later events by the client id alone land on the joined order.
        let later = try await store.ingest([Fixtures.event("e4", venueOrderId: nil, clientOrderId: "c-9", status: .filled, filled: "10")])
        #expect(later[0].orderId == byVenue[0].orderId)
    }

    @Test func conflictingIdsAreRejectedNamingTheField() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        _ = try await store.ingest([Fixtures.event("e1", venueOrderId: "1", clientOrderId: "c-1")])
        let results = try await store.ingest([
            Fixtures.event("e2", venueOrderId: "2", clientOrderId: "c-1"),
            Fixtures.event("e3", venueOrderId: "1", clientOrderId: "c-2"),
            Fixtures.event("e4", venueOrderId: "1", clientOrderId: nil, symbol: "ETHUSD_PERP"),
            Fixtures.event("e5", venueOrderId: "5"),
        ])
        #expect(results[0] == .rejected(EventError(index: 0, field: "venueOrderId", reason: "\"2\" differs from venue order id 1 already joined to clientOrderId \"c-1\"")))
        #expect(results[1] == .rejected(EventError(index: 1, field: "clientOrderId", reason: "\"c-2\" differs from the order's clientOrderId \"c-1\"")))
        #expect(results[2] == .rejected(EventError(index: 2, field: "symbol", reason: "\"ETHUSD_PERP\" differs from the order's symbol \"BTCUSD_PERP\"")))
        guard case .stored = results[3] else { Issue.record("good event of the batch must be stored"); return }
    }

    @Test func sameVenueOrderIdOnDifferentVenuesAreDifferentOrders() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let r = try await store.ingest([
            Fixtures.event("e1", venueOrderId: "1"),
            Fixtures.event("e2", venueOrderId: "1", symbol: "BTC_USDT", venue: "gate-fut"),
        ])
        #expect(r[0].orderId != r[1].orderId)
    }

    @Test func tenThousandEventBatch() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let events = (0..<10_000).map { i in
            Fixtures.event("b-\(i)", venueOrderId: String(i / 2), status: i % 2 == 0 ? .new : .partiallyFilled, filled: i % 2 == 0 ? nil : "1")
        }
        let results = try await store.ingest(events)
        #expect(results.count == 10_000)
        #expect(results.allSatisfy { if case .stored = $0 { true } else { false } })
        let open = try await store.orders(OrderFilter())
        #expect(open.count == 5_000)
        #expect(open.allSatisfy { $0.status == .partiallyFilled && $0.filledQuantity == "1" })
        let db = try SQLiteConnection(path: dir.file("ks.db"))
        #expect(try db.scalarInt("SELECT count(*) FROM order_events") == 10_000)
    }

    @Test func ordersStatusIsDerivableFromEvents() async throws {
        // Replaying order_events in sequence reproduces every order's status and fill.
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        var events: [OrderEvent] = []
        let statuses: [OrderStatus] = [.new, .acknowledged, .partiallyFilled, .filled, .cancelled, .acknowledged, .expired]
        for i in 0..<300 {
            let status = statuses[(i * 7) % statuses.count]
            events.append(Fixtures.event("d-\(i)", venueOrderId: String(i % 40), status: status, filled: String(i % 13)))
        }
        _ = try await store.ingest(events)
        let db = try SQLiteConnection(path: dir.file("ks.db"))
        let replay = try db.prepare("SELECT order_id, status, filled_quantity FROM order_events ORDER BY seq")
        var derived: [Int64: (OrderStatus, DecimalAmount)] = [:]
        while try replay.step() {
            let id = replay.int(0)
            let status = OrderStatus(rawValue: replay.text(1)!)!
            let filled = replay.text(2).flatMap(DecimalAmount.init) ?? .zero
            let previous = derived[id]
            derived[id] = (previous.map { $0.0.merging(status) } ?? status, max(previous?.1 ?? .zero, filled))
        }
        for order in try await store.orders(OrderFilter(openOnly: false)) {
            #expect(derived[order.id]?.0 == order.status)
            #expect(derived[order.id]?.1.text == order.filledQuantity)
        }
    }
}
