import Foundation
import Testing
@testable import VenueSim

/// Partially filled orders: seeded with a filled quantity, filled on demand over the admin API, or filled by
/// the fault while a cancel is in flight — and Bitget's orders-pending `status` filter as its page describes.
@Suite struct PartialFillTests {
    static let pending = "/api/v2/mix/order/orders-pending"

    private func listed(_ answer: HTTPAnswer) -> [[String: Any]] {
        ((answer.object["data"] as? [String: Any])?["entrustedList"] as? [[String: Any]]) ?? []
    }

    @Test func bitgetListsEachStateUnderItsStatus() async throws {
        let h = try await SimHarness.start()
        try await h.seed("bitget", "futures", ids: ["1", "2"], symbol: "BTCUSDT")
        try await h.seed("bitget", "futures", ids: ["3"], symbol: "BTCUSDT", filled: "0.4", quantity: "1")
        let live = listed(try await h.bitget(.GET, Self.pending, query: "productType=USDT-FUTURES&status=live"))
        #expect(live.map { $0["orderId"] as? String } == ["2", "1"], "newest first, as Bitget pages")
        #expect(live.first?["status"] as? String == "live")
        let partial = listed(try await h.bitget(.GET, Self.pending, query: "productType=USDT-FUTURES&status=partially_filled"))
        #expect(partial.map { $0["orderId"] as? String } == ["3"])
        #expect(partial.first?["status"] as? String == "partially_filled")
        #expect(partial.first?["baseVolume"] as? String == "0.4")
        // No status: only live ones (the UNVERIFIED reading that hurts an unfiltered client).
        let unfiltered = listed(try await h.bitget(.GET, Self.pending, query: "productType=USDT-FUTURES"))
        #expect(unfiltered.map { $0["orderId"] as? String } == ["2", "1"])
        #expect(try await h.bitget(.GET, Self.pending, query: "productType=USDT-FUTURES&status=new").status == 400)
        // The admin view says how much filled.
        #expect(await h.sim.orders(exchange: "bitget").first { $0.id == "3" }?.filledQuantity == "0.4")
        try await h.stop()
    }

    @Test func withoutStatusBothStatesWhenConfigured() async throws {
        let h = try await SimHarness.start { $0.compatibility.bitgetPendingWithoutStatusIncludesPartiallyFilled = true }
        try await h.seed("bitget", "futures", ids: ["1"], symbol: "BTCUSDT")
        try await h.seed("bitget", "futures", ids: ["2"], symbol: "BTCUSDT", filled: "0.5")
        let unfiltered = listed(try await h.bitget(.GET, Self.pending, query: "productType=USDT-FUTURES"))
        #expect(unfiltered.map { $0["status"] as? String } == ["partially_filled", "live"], "newest first")
        try await h.stop()
    }

    @Test func theFaultFillsPartOfATargetedOrderInsteadOfCancellingIt() async throws {
        let h = try await SimHarness.start()
        try await h.seed("bitget", "futures", ids: ["1", "2", "3"], symbol: "BTCUSDT", quantity: "2")
        try await h.sim.setFaults(SimFaults(exchange: "bitget", partialFillOrderIds: ["2"]))
        let body = #"{"symbol":"BTCUSDT","productType":"USDT-FUTURES","orderIdList":[{"orderId":"1"},{"orderId":"2"},{"orderId":"3"}]}"#
        let cancel = try await h.bitget(.POST, "/api/v2/mix/order/batch-cancel-orders", body: body)
        let data = cancel.object["data"] as? [String: Any] ?? [:]
        #expect((data["successList"] as? [[String: Any]])?.map { $0["orderId"] as? String } == ["1", "3"])
        let failure = (data["failureList"] as? [[String: Any]])?.first
        #expect(failure?["orderId"] as? String == "2")
        #expect(failure?["errorCode"] as? String == "40015")
        #expect(await h.sim.requests(since: 0).last?.verdict == "fault:partial-fill")
        // Still open, half filled: listed under partially_filled only.
        let view = await h.sim.orders(exchange: "bitget").first { $0.id == "2" }
        #expect(view?.status == "open")
        #expect(view?.filledQuantity == "1")
        #expect(listed(try await h.bitget(.GET, Self.pending, query: "productType=USDT-FUTURES&symbol=BTCUSDT")).isEmpty)
        #expect(listed(try await h.bitget(.GET, Self.pending, query: "productType=USDT-FUTURES&status=partially_filled")).map { $0["orderId"] as? String } == ["2"])
        // Once per id: the next cancel takes.
        let again = try await h.bitget(.POST, "/api/v2/mix/order/batch-cancel-orders", body: #"{"symbol":"BTCUSDT","productType":"USDT-FUTURES","orderIdList":[{"orderId":"2"}]}"#)
        #expect(((again.object["data"] as? [String: Any])?["successList"] as? [[String: Any]])?.count == 1)
        #expect(await h.status("bitget", "2") == "cancelled")
        try await h.stop()
    }

    @Test func theRateFaultAndTheAdminFillWorkOnEveryVenue() async throws {
        let h = try await SimHarness.start()
        try await h.seed("gate", "futures", ids: ["10", "11"], symbol: "BTC_USDT", side: "sell", quantity: "4")
        try await h.sim.setFaults(SimFaults(exchange: "gate", market: "futures", partialFillRate: 1))
        let cancel = try await h.gate(.POST, "/api/v4/futures/usdt/batch_cancel_orders", body: #"["10"]"#)
        #expect(cancel.array.first?["succeeded"] as? Bool == false)
        #expect(cancel.array.first?["message"] as? String == "TOO_BUSY")
        let open = try await h.gate(.GET, "/api/v4/futures/usdt/orders", query: "status=open")
        #expect(open.array.first { ($0["id"] as? Int) == 10 }?["left"] as? Int == -2)
        await h.sim.clearFaults()
        // Admin fill: half of what is left, or a given quantity; never the whole order.
        let filled = try await h.send(.POST, "/_sim/orders/fill", body: #"{"exchange":"gate","id":"11","quantity":"1.5"}"#)
        #expect(filled.object["filledQuantity"] as? String == "1.5")
        #expect(filled.object["status"] as? String == "open")
        #expect(try await h.send(.POST, "/_sim/orders/fill", body: #"{"exchange":"gate","id":"11","quantity":"3"}"#).status == 400)
        #expect(try await h.sim.fill(exchange: "gate", id: "11").filledQuantity == "2.75")
        try await h.seed("htx", "spot", ids: ["20"], symbol: "btcusdt", filled: "0.25")
        let htx = try await h.htx(.GET, "/v1/order/openOrders")
        let order = (htx.object["data"] as? [[String: Any]])?.first
        #expect(order?["state"] as? String == "partial-filled")
        #expect(order?["filled-amount"] as? String == "0.25")
        try await h.seed("binance", "futures", ids: ["30"], symbol: "BTCUSD_PERP", filled: "0.5")
        let binance = try await h.binance(.GET, "/dapi/v1/openOrders", params: "symbol=BTCUSD_PERP")
        #expect(binance.array.first?["status"] as? String == "PARTIALLY_FILLED")
        #expect(binance.array.first?["executedQty"] as? String == "0.5")
        #expect(try await h.send(.POST, "/_sim/orders", body: #"[{"exchange":"bitget","market":"futures","symbol":"BTCUSDT","id":"9","side":"buy","price":"1","quantity":"1","filledQuantity":"1","apiKey":"test-api-key"}]"#).status == 400)
        try await h.stop()
    }
}
