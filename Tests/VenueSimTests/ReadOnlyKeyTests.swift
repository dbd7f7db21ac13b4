import Foundation
import Testing
@testable import VenueSim

/// A read-only key (`SimAccount.readOnly`) reads like any key of its account and is refused every write with
/// its venue's permission error, which changes nothing.
@Suite struct ReadOnlyKeyTests {
    static let readOnlyKey = "read-only-key"

    static func start() async throws -> SimHarness {
        try await SimHarness.start { configuration in
            configuration.accounts = SimAccount.demoAccounts + SimAccount.exchanges.map { exchange in
                SimAccount(exchange: exchange, apiKey: readOnlyKey, secret: TestCredentials.secret,
                           passphrase: exchange == "bitget" ? TestCredentials.passphrase : nil, uid: "10001",
                           accountId: exchange == "htx" ? "100009" : nil, readOnly: true)
            }
        }
    }

    @Test func gateRefusesCancelsButLists() async throws {
        let h = try await Self.start()
        try await h.seed("gate", "futures", ids: ["11"], symbol: "BTC_USDT", settle: "usdt")
        let listed = try await h.gate(.GET, "/api/v4/futures/usdt/orders", query: "status=open", key: Self.readOnlyKey)
        #expect(listed.status == 200 && listed.array.count == 1)
        let cancel = try await h.gate(.POST, "/api/v4/futures/usdt/batch_cancel_orders", body: #"["11"]"#, key: Self.readOnlyKey)
        #expect(cancel.status == 403)
        #expect(cancel.object["label"] as? String == "READ_ONLY")
        let cancelAll = try await h.gate(.DELETE, "/api/v4/futures/usdt/orders", query: "contract=BTC_USDT", key: Self.readOnlyKey)
        #expect(cancelAll.object["label"] as? String == "READ_ONLY")
        #expect(await h.status("gate", "11") == "open")
        // The same account's trading key still cancels.
        let allowed = try await h.gate(.POST, "/api/v4/futures/usdt/batch_cancel_orders", body: #"["11"]"#)
        #expect(allowed.status == 200)
        #expect(await h.status("gate", "11") == "cancelled")
        try await h.stop()
    }

    @Test func htxRefusesCancelsAndListsAccounts() async throws {
        let h = try await Self.start()
        try await h.seed("htx", "spot", ids: ["21"], symbol: "btcusdt")
        let cancel = try await h.htx(.POST, "/v1/order/orders/batchcancel", body: #"{"order-ids":["21"]}"#, key: Self.readOnlyKey)
        #expect(cancel.status == 200)
        #expect(cancel.object["status"] as? String == "error")
        #expect(cancel.object["err-code"] as? String == "api-signature-not-valid")
        #expect((cancel.object["err-msg"] as? String)?.contains("no permission") == true)
        let after = try await h.htx(.POST, "/v2/algo-orders/cancel-all-after", body: #"{"timeout":10}"#, key: Self.readOnlyKey)
        #expect(after.object["code"] as? Int == 1003)
        #expect(await h.status("htx", "21") == "open")
        let accounts = try await h.htx(.GET, "/v1/account/accounts", key: Self.readOnlyKey)
        #expect(accounts.status == 200)
        let list = try #require(accounts.object["data"] as? [[String: Any]])
        #expect(list.count == 1)
        #expect(list.first?["id"] as? Int == 100009 && list.first?["type"] as? String == "spot" && list.first?["state"] as? String == "working")
        try await h.stop()
    }

    @Test func bitgetRefusesCancelsButLists() async throws {
        let h = try await Self.start()
        try await h.seed("bitget", "futures", ids: ["31"], symbol: "BTCUSDT", productType: "USDT-FUTURES")
        let listed = try await h.bitget(.GET, "/api/v2/mix/order/orders-pending", query: "productType=USDT-FUTURES", key: Self.readOnlyKey)
        #expect(listed.status == 200)
        let body = #"{"symbol":"BTCUSDT","productType":"USDT-FUTURES","orderIdList":[{"orderId":"31"}]}"#
        let cancel = try await h.bitget(.POST, "/api/v2/mix/order/batch-cancel-orders", body: body, key: Self.readOnlyKey)
        #expect(cancel.status == 400)
        #expect(cancel.object["code"] as? String == "40014")
        #expect(await h.status("bitget", "31") == "open")
        try await h.stop()
    }

    @Test func binanceRefusesCancelsButLists() async throws {
        let h = try await Self.start()
        try await h.seed("binance", "futures", ids: ["41"], symbol: "BTCUSD_PERP")
        let listed = try await h.binance(.GET, "/dapi/v1/openOrders", params: "symbol=BTCUSD_PERP", key: Self.readOnlyKey)
        #expect(listed.status == 200 && listed.array.count == 1)
        let cancel = try await h.binance(.DELETE, "/dapi/v1/batchOrders", params: "symbol=BTCUSD_PERP&orderIdList=%5B41%5D", key: Self.readOnlyKey)
        #expect(cancel.status == 401)
        #expect(cancel.object["code"] as? Int == -2015)
        #expect(await h.status("binance", "41") == "open")
        try await h.stop()
    }

    @Test func readOnlyIsReadFromAnAccountsFile() throws {
        let data = Data(#"[{"exchange": "gate", "apiKey": "k", "secret": "s", "readOnly": true}, {"exchange": "gate", "apiKey": "k2", "secret": "s"}]"#.utf8)
        let accounts = try JSONDecoder().decode([SimAccount].self, from: data)
        #expect(accounts.map(\.readOnly) == [true, false])
    }
}
