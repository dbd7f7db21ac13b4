import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
@testable import VenueSim

/// Each fault kind is honoured at its configured rate (seeded, so the counts repeat) within tolerance.
@Suite struct FaultTests {
    static let batch = "/api/v4/futures/usdt/batch_cancel_orders"

    private func harness(_ faults: SimFaults, holdMs: Int = 60_000) async throws -> SimHarness {
        let h = try await SimHarness.start {
            $0.rateLimitsEnabled = false
            $0.seed = 42
            $0.timeoutFaultHoldMs = holdMs
        }
        try await h.sim.setFaults(faults)
        return h
    }

    private func near(_ observed: Int, _ rate: Double, of total: Int, tolerance: Double) -> Bool {
        abs(Double(observed) / Double(total) - rate) <= tolerance
    }

    @Test func errorRateAnswers5xx() async throws {
        let h = try await harness(SimFaults(exchange: "gate", errorRate: 0.3))
        var errors = 0
        for _ in 0..<300 {
            let answer = try await h.gate(.POST, Self.batch, body: #"["1"]"#)
            if answer.status == 500 {
                errors += 1
                #expect(answer.object["label"] as? String == "SERVER_ERROR")
            }
        }
        #expect(near(errors, 0.3, of: 300, tolerance: 0.08))
        #expect(await h.sim.requests(since: 0).filter { $0.verdict == "fault:error" }.count == errors)
        try await h.stop()
    }

    @Test func timeoutRateGivesNoAnswer() async throws {
        // The client gives up well before the sim's hold ends, but long enough that a loaded machine never
        // turns an answered request into a "timeout" (CI runs this beside the whole suite on 2 cores).
        let h = try await harness(SimFaults(exchange: "bitget", timeoutRate: 0.2), holdMs: 5_000)
        var timeouts = 0
        let total = 60
        for _ in 0..<total {
            do {
                var request = HTTPClientRequest(url: h.sim.baseURL + "/api/v2/public/time")
                request.method = .GET
                let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(1_500))
                _ = try await response.body.collect(upTo: 1 << 20)
            } catch {
                timeouts += 1
            }
        }
        #expect(near(timeouts, 0.2, of: total, tolerance: 0.12))
        #expect(await h.sim.requests(since: 0).filter { $0.verdict == "fault:timeout" && $0.status == 0 }.count == timeouts)
        try await h.stop()
    }

    @Test func resetRateClosesTheConnection() async throws {
        let h = try await harness(SimFaults(exchange: "binance", resetRate: 0.2))
        var resets = 0
        let total = 100
        for _ in 0..<total {
            do {
                let answer = try await h.send(.GET, "/dapi/v1/time", timeout: .seconds(5))
                #expect(answer.status == 200)
            } catch {
                resets += 1
            }
        }
        #expect(near(resets, 0.2, of: total, tolerance: 0.1))
        #expect(await h.sim.requests(since: 0).filter { $0.verdict == "fault:reset" }.count == resets)
        try await h.stop()
    }

    @Test func malformedRateTruncatesTheAnswer() async throws {
        let h = try await harness(SimFaults(exchange: "gate", market: "futures", malformedRate: 0.25))
        var malformed = 0
        for _ in 0..<200 {
            let answer = try await h.gate(.POST, Self.batch, body: #"["1"]"#)
            #expect(answer.status == 200)
            if answer.json == nil { malformed += 1 }
        }
        #expect(near(malformed, 0.25, of: 200, tolerance: 0.08))
        // Only the futures market was faulted.
        #expect(try await h.gate(.POST, "/api/v4/spot/cancel_batch_orders", body: #"[{"currency_pair":"BTC_USDT","id":"1"}]"#).json != nil)
        try await h.stop()
    }

    @Test func partialFailureAndFillWhileCancellingPerOrder() async throws {
        let h = try await harness(SimFaults(exchange: "gate", partialFailureRate: 0.1, fillWhileCancellingRate: 0.1))
        let ids = (1...1000).map { String(100_000 + $0) }
        try await h.seed("gate", "futures", ids: ids, symbol: "BTC_USDT")
        var busy = 0
        var finished = 0
        for start in stride(from: 0, to: ids.count, by: 20) {
            let body = "[" + ids[start..<start + 20].map { "\"\($0)\"" }.joined(separator: ",") + "]"
            let answer = try await h.gate(.POST, Self.batch, body: body)
            for result in answer.array {
                switch result["message"] as? String {
                case "TOO_BUSY": busy += 1
                case "ORDER_FINISHED": finished += 1
                default: break
                }
            }
        }
        // Fill is rolled first (10 %), the retryable failure on the remaining 90 % (10 % of those).
        #expect(near(finished, 0.1, of: 1000, tolerance: 0.03))
        #expect(near(busy, 0.09, of: 1000, tolerance: 0.03))
        #expect(await h.sim.orders(exchange: "gate", market: "futures", status: "filled").count == finished)
        #expect(await h.sim.orders(exchange: "gate", market: "futures", status: "open").count == busy)
        try await h.stop()
    }

    @Test func forceRateLimitRefusesEveryLimitedRequest() async throws {
        let h = try await harness(SimFaults(exchange: "htx", forceRateLimit: true))
        let refused = try await h.htx(.POST, "/v1/order/orders/batchcancel", body: #"{"order-ids":["1"]}"#)
        #expect(refused.status == 429)
        #expect(refused.object["err-code"] as? String == "base-request-exceed-frequency-limit")
        #expect(try await h.send(.GET, "/v1/common/timestamp").status == 200)  // time is never limited
        #expect(await h.sim.requests(since: 0).first?.verdict == "fault:rate-limit")
        await h.sim.clearFaults()
        #expect(try await h.htx(.POST, "/v1/order/orders/batchcancel", body: #"{"order-ids":["1"]}"#).status == 200)
        try await h.stop()
    }

    @Test func seededRunsRepeat() async throws {
        func verdicts(seed: UInt64) async throws -> [String] {
            let h = try await SimHarness.start {
                $0.rateLimitsEnabled = false
                $0.seed = seed
            }
            try await h.sim.setFaults(SimFaults(exchange: "gate", errorRate: 0.2, malformedRate: 0.2))
            for _ in 0..<50 { _ = try await h.gate(.POST, Self.batch, body: #"["1"]"#) }
            let result = await h.sim.requests(since: 0).map(\.verdict)
            try await h.stop()
            return result
        }
        let first = try await verdicts(seed: 7)
        #expect(try await verdicts(seed: 7) == first)
        #expect(try await verdicts(seed: 8) != first)
    }

    @Test func latencyDelaysOnlyTheAnswer() async throws {
        let h = try await SimHarness.start { $0.latencyMs = 150 }
        let started = ContinuousClock.now
        let answer = try await h.send(.GET, "/api/v4/spot/time")
        #expect(ContinuousClock.now - started >= .milliseconds(150))
        // Judged (and timestamped) at arrival, on the simulator clock.
        #expect(answer.object["server_time"] as? Int == Int(TestCredentials.vectorTimeMs))
        try await h.stop()
    }
}
