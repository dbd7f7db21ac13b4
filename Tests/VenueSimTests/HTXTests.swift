import Foundation
import Testing
@testable import VenueSim

@Suite struct HTXTests {
    private func data(_ answer: HTTPAnswer) -> [String: Any] { answer.object["data"] as? [String: Any] ?? [:] }

    @Test func submittedCancelLeavesTheOpenListAfterTheDelay() async throws {
        let h = try await SimHarness.start()
        try await h.seed("htx", "spot", ids: ["1001", "1002"], symbol: "btcusdt", clientIds: ["c1", "c2"])
        let cancel = try await h.htx(.POST, "/v1/order/orders/batchcancel", body: #"{"order-ids":["1001","9999"]}"#)
        #expect(cancel.status == 200)
        #expect(data(cancel)["success"] as? [String] == ["1001"])
        let failed = (data(cancel)["failed"] as? [[String: Any]])?.first
        #expect(failed?["err-code"] as? String == "order-orderstate-error")
        #expect(failed?["order-state"] as? String == "-1")
        // Still listed: the cancel was only "submitted".
        let listed = try await h.htx(.GET, "/v1/order/openOrders", params: [("account-id", "100009"), ("symbol", "btcusdt")])
        #expect((listed.object["data"] as? [[String: Any]])?.count == 2)
        #expect(listed.header("X-HB-RateLimit-Requests-Remain") == "49")
        let cancelling = try await h.htx(.POST, "/v1/order/orders/batchcancel", body: #"{"client-order-ids":["c1"]}"#)
        #expect((data(cancelling)["failed"] as? [[String: Any]])?.first?["order-state"] as? String == "10")
        h.clock.advance(byMilliseconds: 49)
        #expect(await h.status("htx", "1001") == "open")
        h.clock.advance(byMilliseconds: 1)
        let after = try await h.htx(.GET, "/v1/order/openOrders", params: [("symbol", "btcusdt")])
        #expect((after.object["data"] as? [[String: Any]])?.map { $0["id"] as? Int } == [1002])
        let gone = try await h.htx(.POST, "/v1/order/orders/batchcancel", body: #"{"order-ids":["1001"]}"#)
        #expect((data(gone)["failed"] as? [[String: Any]])?.first?["order-state"] as? String == "7")
        try await h.stop()
    }

    @Test func cancelOpenOrdersTimestampAndCancelAllAfter() async throws {
        let h = try await SimHarness.start()
        try await h.seed("htx", "spot", ids: (1...5).map { "\(2000 + $0)" }, symbol: "btcusdt")
        try await h.seed("htx", "spot", ids: ["3001"], symbol: "ethusdt")
        let first = try await h.htx(.POST, "/v1/order/orders/batchCancelOpenOrders", body: #"{"symbol":"btcusdt","size":3}"#)
        #expect(data(first)["success-count"] as? Int == 3)
        #expect(data(first)["next-id"] as? Int == 2004)
        let second = try await h.htx(.POST, "/v1/order/orders/batchCancelOpenOrders", body: #"{"symbol":"btcusdt"}"#)
        #expect(data(second)["success-count"] as? Int == 2)
        #expect(data(second)["next-id"] as? Int == -1)
        let time = try await h.send(.GET, "/v1/common/timestamp")
        #expect(time.object["data"] as? Int == Int(TestCredentials.vectorTimeMs))
        let armed = try await h.htx(.POST, "/v2/algo-orders/cancel-all-after", body: #"{"timeout":30}"#)
        #expect(armed.object["code"] as? Int == 200)
        #expect(data(armed)["triggerTime"] as? Int == Int(h.nowMs + 30_000))
        h.clock.advance(byMilliseconds: 30_000)
        #expect(await h.status("htx", "3001") == "cancelled")
        let disarm = try await h.htx(.POST, "/v2/algo-orders/cancel-all-after", body: #"{"timeout":0}"#)
        #expect(data(disarm)["triggerTime"] as? Int == 0)
        try await h.stop()
    }

    @Test func authenticationAndInputErrors() async throws {
        let h = try await SimHarness.start()
        let path = "/v1/order/orders/batchcancel"
        let query = HTXSigner.signedQuery(method: "POST", host: h.hostHeader, path: path)
        let tampered = query.replacingOccurrences(of: "AccessKeyId=test-api-key", with: "AccessKeyId=test-api-key&extra=1")
        let badSignature = try await h.send(.POST, path + "?" + tampered, body: #"{"order-ids":["1"]}"#)
        #expect(badSignature.status == 200)
        #expect(badSignature.object["status"] as? String == "error")
        #expect(badSignature.object["err-code"] as? String == "api-signature-not-valid")
        let stale = try await h.htx(.POST, path, body: #"{"order-ids":["1"]}"#, timestampMs: h.nowMs - 301_000)
        #expect(stale.object["err-code"] as? String == "api-signature-not-valid")
        let fresh = try await h.htx(.POST, path, body: #"{"order-ids":["1"]}"#, timestampMs: h.nowMs - 299_000)
        #expect(fresh.object["status"] as? String == "ok")
        let unknownKey = try await h.send(.POST, path + "?" + HTXSigner.signedQuery(method: "POST", host: h.hostHeader, path: path, key: "nobody"), body: #"{"order-ids":["1"]}"#)
        #expect((unknownKey.object["err-msg"] as? String)?.contains("Access key") == true)
        let both = try await h.htx(.POST, path, body: #"{"order-ids":["1"],"client-order-ids":["a"]}"#)
        #expect(both.object["err-code"] as? String == "invalid-parameter")
        let tooMany = try await h.htx(.POST, path, body: #"{"order-ids":[\#((1...51).map { "\"\($0)\"" }.joined(separator: ","))]}"#)
        #expect(tooMany.object["err-code"] as? String == "invalid-parameter")
        let malformed = try await h.htx(.POST, path, body: "{order-ids")
        #expect(malformed.object["status"] as? String == "error")
        let otherAccount = try await h.htx(.GET, "/v1/order/openOrders", params: [("account-id", "1")])
        #expect(otherAccount.object["status"] as? String == "error")
        let verdicts = await h.sim.requests(since: 0).map(\.verdict)
        #expect(verdicts.prefix(4) == ["bad-signature", "expired", "ok", "unknown-key"])
        try await h.stop()
    }
}
