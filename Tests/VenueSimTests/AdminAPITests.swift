import Foundation
import Testing
@testable import VenueSim

@Suite struct AdminAPITests {
    private let seeds = #"[{"exchange":"gate","market":"futures","settle":"usdt","symbol":"BTC_USDT","id":"1","side":"buy","price":"30000","quantity":"2","apiKey":"test-api-key"},{"exchange":"htx","market":"spot","symbol":"btcusdt","id":"2","clientOrderId":"c2","side":"sell","price":30000.5,"quantity":0.1,"apiKey":"test-api-key"}]"#

    @Test func ordersRequestsFaultsClockResetRoundTrips() async throws {
        let h = try await SimHarness.start()
        let created = try await h.send(.POST, "/_sim/orders", body: seeds)
        #expect(created.status == 200)
        #expect(created.object["created"] as? Int == 2)
        let open = try await h.send(.GET, "/_sim/orders?exchange=gate&status=open")
        #expect(open.array.map { $0["id"] as? String } == ["1"])
        let htxOrder = try await h.send(.GET, "/_sim/orders?market=spot")
        #expect(htxOrder.array.first?["price"] as? String == "30000.5")

        let cancel = try await h.gate(.POST, "/api/v4/futures/usdt/batch_cancel_orders", body: #"["1"]"#)
        #expect(cancel.status == 200)
        let log = try await h.send(.GET, "/_sim/requests?since=0")
        #expect(log.array.count == 1)
        let entry = log.array[0]
        #expect(entry["exchange"] as? String == "gate")
        #expect(entry["market"] as? String == "futures")
        #expect(entry["method"] as? String == "POST")
        #expect(entry["path"] as? String == "/api/v4/futures/usdt/batch_cancel_orders")
        #expect(entry["account"] as? String == "test-api-key")
        #expect(entry["status"] as? Int == 200)
        #expect(entry["verdict"] as? String == "ok")
        #expect(entry["orderIds"] as? [String] == ["1"])
        #expect(entry["receivedAtMs"] as? Int == Int(TestCredentials.vectorTimeMs))
        let cancelled = try await h.send(.GET, "/_sim/orders?exchange=gate&status=cancelled")
        #expect(cancelled.array.first?["cancelledByRequestId"] as? Int == entry["id"] as? Int)
        #expect(cancelled.array.first?["cancelledAtMs"] as? Int == Int(TestCredentials.vectorTimeMs))
        let none = try await h.send(.GET, "/_sim/requests?since=\(entry["id"] as? Int ?? 0)")
        #expect(none.array.isEmpty)

        let faults = try await h.send(.POST, "/_sim/faults", body: #"{"exchange":"bitget","errorRate":0.5,"forceRateLimit":true}"#)
        #expect(faults.status == 200)
        let listed = try await h.send(.GET, "/_sim/faults")
        #expect(((listed.object["faults"] as? [[String: Any]])?.first?["errorRate"] as? Double) == 0.5)
        #expect(try await h.send(.DELETE, "/_sim/faults").status == 200)
        #expect(((try await h.send(.GET, "/_sim/faults")).object["faults"] as? [Any])?.isEmpty == true)

        // Fire drill: shift the clock two minutes; a client still on the old time is now expired.
        let shifted = try await h.send(.POST, "/_sim/clock", body: #"{"offsetMs":120000}"#)
        #expect(shifted.object["nowMs"] as? Int == Int(TestCredentials.vectorTimeMs + 120_000))
        let stale = try await h.gate(.GET, "/api/v4/futures/usdt/orders", query: "status=open", timestamp: String(TestCredentials.vectorTimeMs / 1000))
        #expect(stale.object["label"] as? String == "REQUEST_EXPIRED")
        let synced = try await h.gate(.GET, "/api/v4/futures/usdt/orders", query: "status=open", timestamp: String(TestCredentials.vectorTimeMs / 1000 + 120))
        #expect(synced.status == 200)

        let limits = try await h.send(.POST, "/_sim/limits", body: #"{"exchange":"gate","market":"spot","capacity":5,"windowMs":1000}"#)
        #expect(((limits.object["overrides"] as? [[String: Any]])?.first?["capacity"] as? Double) == 5)
        #expect(try await h.send(.POST, "/_sim/limits", body: #"{"enabled":false}"#).object["enabled"] as? Bool == false)

        #expect(try await h.send(.POST, "/_sim/reset").status == 200)
        #expect(try await h.send(.GET, "/_sim/orders").array.isEmpty)
        #expect(try await h.send(.GET, "/_sim/requests").array.isEmpty)
        try await h.stop()
    }

    @Test func badAdminInputIsRefusedWithTheReason() async throws {
        let h = try await SimHarness.start()
        func reason(_ answer: HTTPAnswer) -> String { answer.object["error"] as? String ?? "" }
        let notJSON = try await h.send(.POST, "/_sim/orders", body: "[{")
        #expect(notJSON.status == 400)
        #expect(reason(notJSON).contains("not valid JSON"))
        let missingField = try await h.send(.POST, "/_sim/orders", body: #"[{"exchange":"gate"}]"#)
        #expect(missingField.status == 400)
        #expect(reason(missingField).contains("missing field"))
        let unknownExchange = try await h.send(.POST, "/_sim/orders", body: seeds.replacingOccurrences(of: #""exchange":"gate""#, with: #""exchange":"kraken""#))
        #expect(unknownExchange.status == 400)
        #expect(reason(unknownExchange).contains("unknown exchange 'kraken'"))
        #expect(try await h.send(.POST, "/_sim/orders", body: seeds).status == 200)
        let duplicate = try await h.send(.POST, "/_sim/orders", body: seeds)
        #expect(duplicate.status == 400)
        #expect(reason(duplicate).contains("already exists"))
        let badMarket = try await h.send(.POST, "/_sim/orders", body: seeds.replacingOccurrences(of: #""market":"spot""#, with: #""market":"futures""#).replacingOccurrences(of: #""id":"1""#, with: #""id":"5""#))
        #expect(reason(badMarket).contains("does not exist on htx"))
        let badKey = try await h.send(.POST, "/_sim/orders", body: #"[{"exchange":"gate","market":"spot","symbol":"BTC_USDT","id":"9","side":"buy","price":"1","quantity":"1","apiKey":"nobody"}]"#)
        #expect(reason(badKey).contains("apiKey 'nobody'"))
        let badStatus = try await h.send(.GET, "/_sim/orders?status=pending")
        #expect(badStatus.status == 400)
        #expect(reason(badStatus).contains("status must be"))
        let badSince = try await h.send(.GET, "/_sim/requests?since=abc")
        #expect(reason(badSince).contains("since must be an integer"))
        let badRate = try await h.send(.POST, "/_sim/faults", body: #"{"exchange":"gate","errorRate":2}"#)
        #expect(badRate.status == 400)
        #expect(reason(badRate).contains("errorRate must be between 0 and 1"))
        let badClock = try await h.send(.POST, "/_sim/clock", body: #"{"offset":1}"#)
        #expect(reason(badClock).contains("offsetMs"))
        let unknownRoute = try await h.send(.GET, "/_sim/nothing")
        #expect(unknownRoute.status == 400)
        #expect(reason(unknownRoute).contains("no admin route"))
        // Nothing half-seeded by the refused batches.
        #expect(await h.sim.orders(exchange: nil, market: nil, status: nil).count == 2)
        await #expect(throws: VenueSimError.self) {
            try await h.sim.seed([SimOrderSeed(exchange: "gate", market: "swap", symbol: "X", id: "1", side: "buy", price: "1", quantity: "1", apiKey: "test-api-key")])
        }
        try await h.stop()
    }

    @Test func requestLogKeepsTheNewestEntries() async throws {
        let h = try await SimHarness.start { $0.requestLogCapacity = 5 }
        for _ in 0..<8 { _ = try await h.send(.GET, "/dapi/v1/time") }
        let entries = await h.sim.requests(since: 0)
        #expect(entries.map(\.id) == [4, 5, 6, 7, 8])
        try await h.stop()
    }
}
