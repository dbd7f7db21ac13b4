import Foundation
import Testing
@testable import VenueSim

/// Gate spot orders rest in an account type (spot, margin, cross_margin, unified): `account` narrows listings
/// and cancel-alls to it, and without it they reach every type. Orders without a client id carry an origin
/// label as `text` (Gate) or `source` (HTX), shared by every order of that origin.
@Suite struct GateSpotAccountTests {
    private func seedAccounts(_ h: SimHarness) async throws {
        try await h.seed("gate", "spot", ids: ["1", "2"], symbol: "BTC_USDT", account: "spot")
        try await h.seed("gate", "spot", ids: ["3"], symbol: "BTC_USDT", account: "margin")
        try await h.seed("gate", "spot", ids: ["4"], symbol: "ETH_USDT", account: "unified")
        try await h.seed("gate", "spot", ids: ["5"], symbol: "ETH_USDT", account: "cross_margin")
    }

    @Test func cancelAllWithAccountLeavesTheOtherAccountsOpen() async throws {
        let h = try await SimHarness.start()
        try await seedAccounts(h)
        let spotOnly = try await h.gate(.DELETE, "/api/v4/spot/orders", query: "account=spot")
        #expect(spotOnly.status == 200)
        #expect(spotOnly.array.map { $0["id"] as? String } == ["1", "2"])
        #expect(spotOnly.array.allSatisfy { $0["account"] as? String == "spot" })
        #expect(await h.ids("gate", status: "open") == ["3", "4", "5"])
        let margin = try await h.gate(.DELETE, "/api/v4/spot/orders", query: "account=margin&currency_pair=BTC_USDT")
        #expect(margin.array.map { $0["id"] as? String } == ["3"])
        // Without account: every account type ("spot, unified account, and isolated margin", and the rest).
        let all = try await h.gate(.DELETE, "/api/v4/spot/orders")
        #expect(all.array.map { $0["id"] as? String } == ["4", "5"])
        #expect(await h.ids("gate", status: "open").isEmpty)
        #expect(try await h.gate(.DELETE, "/api/v4/spot/orders", query: "account=futures").status == 400)
        try await h.stop()
    }

    @Test func aCancelAllWithoutAccountTakesEveryAccount() async throws {
        let h = try await SimHarness.start()
        try await seedAccounts(h)
        let all = try await h.gate(.DELETE, "/api/v4/spot/orders")
        #expect(all.array.map { $0["id"] as? String } == ["1", "2", "3", "4", "5"])
        #expect(all.array.map { $0["account"] as? String } == ["spot", "spot", "margin", "unified", "cross_margin"])
        try await h.stop()
    }

    @Test func listingsHonourAccount() async throws {
        let h = try await SimHarness.start()
        try await seedAccounts(h)
        let unified = try await h.gate(.GET, "/api/v4/spot/open_orders", query: "account=unified")
        #expect(unified.array.map { $0["currency_pair"] as? String } == ["ETH_USDT"])
        #expect(((unified.array.first?["orders"] as? [[String: Any]])?.map { $0["id"] as? String }) == ["4"])
        let every = try await h.gate(.GET, "/api/v4/spot/open_orders")
        #expect(every.array.flatMap { ($0["orders"] as? [[String: Any]]) ?? [] }.count == 5)
        let pair = try await h.gate(.GET, "/api/v4/spot/orders", query: "currency_pair=BTC_USDT&status=open&account=margin")
        #expect(pair.array.map { $0["id"] as? String } == ["3"])
        #expect(pair.array.first?["account"] as? String == "margin")
        #expect(try await h.gate(.GET, "/api/v4/spot/orders", query: "currency_pair=BTC_USDT&status=open").array.count == 3)
        #expect(await h.sim.orders(exchange: "gate").first { $0.id == "4" }?.account == "unified")
        try await h.stop()
    }

    @Test func listingsWithoutAccountShowOnlySpotWhenConfigured() async throws {
        let h = try await SimHarness.start { $0.compatibility.gateSpotListingWithoutAccountCoversAllAccounts = false }
        try await seedAccounts(h)
        let every = try await h.gate(.GET, "/api/v4/spot/open_orders")
        #expect(every.array.flatMap { ($0["orders"] as? [[String: Any]]) ?? [] }.map { $0["id"] as? String } == ["1", "2"])
        // The cancel-all's scope is documented: still every account.
        #expect(try await h.gate(.DELETE, "/api/v4/spot/orders").array.count == 5)
        try await h.stop()
    }

    @Test func batchCancelItemsNameTheirAccount() async throws {
        let h = try await SimHarness.start()
        try await seedAccounts(h)
        let body = #"[{"currency_pair":"BTC_USDT","id":"3","account":"spot"},{"currency_pair":"ETH_USDT","id":"4"},{"currency_pair":"BTC_USDT","id":"1"}]"#
        let first = try await h.gate(.POST, "/api/v4/spot/cancel_batch_orders", body: body)
        #expect(first.array.map { $0["succeeded"] as? Bool } == [false, false, true])
        #expect(first.array.map { $0["label"] as? String } == ["ORDER_NOT_FOUND", "ORDER_NOT_FOUND", nil])
        let named = #"[{"currency_pair":"BTC_USDT","id":"3","account":"margin"},{"currency_pair":"ETH_USDT","id":"4","account":"unified"}]"#
        let second = try await h.gate(.POST, "/api/v4/spot/cancel_batch_orders", body: named)
        #expect(second.array.map { $0["succeeded"] as? Bool } == [true, true])
        #expect(await h.ids("gate", status: "open") == ["2", "5"])
        try await h.stop()
    }

    @Test func ordersBelongToTheAccountNotTheKey() async throws {
        let h = try await SimHarness.start { $0.accounts = SimHarness.accountsWithSecondKey() }
        try await h.seed("gate", "spot", ids: ["1"], symbol: "BTC_USDT")
        try await h.seed("gate", "spot", ids: ["2"], symbol: "BTC_USDT", key: TestCredentials.secondKey)
        try await h.seed("gate", "spot", ids: ["3"], symbol: "BTC_USDT", key: TestCredentials.otherAccountKey)
        // Either key of uid 10001 sees and cancels both of its orders; the other account's stays.
        let listed = try await h.gate(.GET, "/api/v4/spot/orders", query: "currency_pair=BTC_USDT&status=open", key: TestCredentials.secondKey)
        #expect(listed.array.map { $0["id"] as? String } == ["1", "2"])
        let all = try await h.gate(.DELETE, "/api/v4/spot/orders", query: "account=spot")
        #expect(all.array.map { $0["id"] as? String } == ["1", "2"])
        #expect(await h.ids("gate", status: "open") == ["3"])
        try await h.stop()
    }
}

@Suite struct OriginLabelTests {
    @Test func gateReportsOriginLabelsAsText() async throws {
        let h = try await SimHarness.start()
        try await h.sim.seed((1...3).map {
            SimOrderSeed.manual(exchange: "gate", market: "futures", symbol: "BTC_USDT", id: "\($0)", side: "buy", price: "30000", quantity: "1", apiKey: TestCredentials.key)
        })
        try await h.seed("gate", "futures", ids: ["4", "5"], symbol: "BTC_USDT", clientIds: ["t-bot-4", nil])
        let futures = try await h.gate(.GET, "/api/v4/futures/usdt/orders", query: "status=open")
        #expect(futures.array.map { $0["text"] as? String } == ["web", "web", "web", "t-bot-4", "api"])
        try await h.sim.seed((6...7).map {
            SimOrderSeed.manual(exchange: "gate", market: "spot", symbol: "BTC_USDT", id: "\($0)", side: "sell", price: "30000", quantity: "1", apiKey: TestCredentials.key)
        })
        try await h.seed("gate", "spot", ids: ["8", "9"], symbol: "BTC_USDT", clientIds: ["t-bot-8", nil])
        try await h.seed("gate", "spot", ids: ["10"], symbol: "BTC_USDT", origin: "3")
        let spot = try await h.gate(.GET, "/api/v4/spot/orders", query: "currency_pair=BTC_USDT&status=open")
        #expect(spot.array.map { $0["text"] as? String } == ["web", "web", "t-bot-8", "apiv4", "3"])
        // The batch-cancel answer echoes the label too.
        let cancel = try await h.gate(.POST, "/api/v4/spot/cancel_batch_orders", body: #"[{"currency_pair":"BTC_USDT","id":"6"}]"#)
        #expect(cancel.array.first?["text"] as? String == "web")
        #expect(await h.sim.orders(exchange: "gate").filter { $0.origin == "web" }.count == 5)
        let seeded = try await h.send(.POST, "/_sim/orders", body: #"[{"exchange":"gate","market":"futures","symbol":"BTC_USDT","id":"11","side":"buy","price":"1","quantity":"1","apiKey":"test-api-key","origin":"web"}]"#)
        #expect(seeded.status == 200)
        try await h.stop()
    }

    @Test func htxManualOrdersHaveNoClientOrderId() async throws {
        let h = try await SimHarness.start()
        try await h.sim.seed([
            SimOrderSeed.manual(exchange: "htx", market: "spot", symbol: "btcusdt", id: "1", side: "buy", price: "1", quantity: "1", apiKey: TestCredentials.key),
            SimOrderSeed.manual(exchange: "htx", market: "spot", symbol: "btcusdt", id: "2", side: "buy", price: "1", quantity: "1", apiKey: TestCredentials.key),
        ])
        try await h.seed("htx", "spot", ids: ["3", "4"], symbol: "btcusdt", clientIds: ["c3", nil])
        let listed = (try await h.htx(.GET, "/v1/order/openOrders").object["data"] as? [[String: Any]]) ?? []
        #expect(listed.map { $0.keys.contains("client-order-id") } == [false, false, true, true])
        #expect(listed.map { $0["client-order-id"] as? String } == [nil, nil, "c3", ""])
        #expect(listed.map { $0["source"] as? String } == ["web", "web", "api", "api"])
        try await h.stop()
        let empty = try await SimHarness.start { $0.compatibility.htxManualOrdersOmitClientOrderId = false }
        try await empty.sim.seed([SimOrderSeed.manual(exchange: "htx", market: "spot", symbol: "btcusdt", id: "1", side: "buy", price: "1", quantity: "1", apiKey: TestCredentials.key)])
        let again = (try await empty.htx(.GET, "/v1/order/openOrders").object["data"] as? [[String: Any]]) ?? []
        #expect(again.first?["client-order-id"] as? String == "")
        try await empty.stop()
    }
}
