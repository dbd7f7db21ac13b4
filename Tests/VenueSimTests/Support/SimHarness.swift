import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import VenueSim

/// An HTTP answer, with its body as text and parsed JSON.
struct HTTPAnswer {
    let status: Int
    let headers: HTTPHeaders
    let body: String

    var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]) }
    var array: [[String: Any]] { (json as? [[String: Any]]) ?? [] }
    var object: [String: Any] { (json as? [String: Any]) ?? [:] }

    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// A simulator started in-process on a free loopback port with a manual clock at the vectors' time.
struct SimHarness {
    let sim: VenueSimulator
    let clock: ManualSimClock

    static func start(_ configure: (inout VenueSimConfiguration) -> Void = { _ in }) async throws -> SimHarness {
        let clock = ManualSimClock(milliseconds: TestCredentials.vectorTimeMs)
        var configuration = VenueSimConfiguration(port: 0, clock: clock)
        configure(&configuration)
        return SimHarness(sim: try await VenueSimulator.start(configuration), clock: clock)
    }

    var nowMs: Int64 { clock.nowMilliseconds() }
    var nowSeconds: String { String(nowMs / 1000) }
    var hostHeader: String { "127.0.0.1:\(sim.port)" }

    func send(
        _ method: HTTPMethod, _ pathAndQuery: String, headers: [(String, String)] = [], body: String? = nil,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: sim.baseURL + pathAndQuery)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return HTTPAnswer(status: Int(response.status.code), headers: response.headers, body: String(buffer: bytes))
    }

    func stop() async throws {
        try await sim.shutdown()
    }

    // MARK: Signed requests per venue

    func gate(_ method: HTTPMethod, _ path: String, query: String = "", body: String = "", timestamp: String? = nil, extraHeaders: [(String, String)] = [], key: String = TestCredentials.key) async throws -> HTTPAnswer {
        let headers = GateSigner.headers(method: method.rawValue, path: path, query: query, body: body, timestamp: timestamp ?? nowSeconds, key: key)
        return try await send(method, path + (query.isEmpty ? "" : "?" + query), headers: headers + extraHeaders, body: body.isEmpty ? nil : body)
    }

    func htx(_ method: HTTPMethod, _ path: String, params: [(String, String)] = [], body: String? = nil, timestampMs: Int64? = nil, key: String = TestCredentials.key) async throws -> HTTPAnswer {
        let query = HTXSigner.signedQuery(method: method.rawValue, host: hostHeader, path: path, params: params, timestampMs: timestampMs ?? nowMs, key: key)
        return try await send(method, path + "?" + query, headers: [("Content-Type", "application/json")], body: body)
    }

    func bitget(_ method: HTTPMethod, _ path: String, query: String = "", body: String = "", timestampMs: Int64? = nil, key: String = TestCredentials.key) async throws -> HTTPAnswer {
        let headers = BitgetSigner.headers(method: method.rawValue, path: path, query: query, body: body, timestampMs: timestampMs ?? nowMs, key: key)
        return try await send(method, path + (query.isEmpty ? "" : "?" + query), headers: headers, body: body.isEmpty ? nil : body)
    }

    /// `params` without timestamp/signature; they are appended (timestamp last before the signature).
    func binance(_ method: HTTPMethod, _ path: String, params: String, timestampMs: Int64? = nil, key: String = TestCredentials.key) async throws -> HTTPAnswer {
        let full = (params.isEmpty ? "" : params + "&") + "timestamp=\(timestampMs ?? nowMs)"
        return try await send(method, path + "?" + BinanceSigner.signedQuery(full), headers: [("X-MBX-APIKEY", key)])
    }

    // MARK: Seeding

    @discardableResult
    func seed(
        _ exchange: String, _ market: String, ids: [String], symbol: String, clientIds: [String?]? = nil, settle: String? = nil,
        productType: String? = nil, side: String = "buy", account: String? = nil, origin: String? = nil, filled: String? = nil,
        quantity: String = "1", key: String = TestCredentials.key
    ) async throws -> Int {
        try await sim.seed(ids.enumerated().map { index, id in
            SimOrderSeed(
                exchange: exchange, market: market, settle: settle, productType: productType, symbol: symbol, id: id,
                clientOrderId: clientIds?[index], side: side, price: "30000", quantity: quantity, apiKey: key,
                account: account, origin: origin, filledQuantity: filled
            )
        })
    }

    /// The ids of `exchange`'s orders with `status` (open, cancelled, filled), in seeding order.
    func ids(_ exchange: String, status: String) async -> [String] {
        await sim.orders(exchange: exchange, market: nil, status: status).map(\.id)
    }

    /// A second API key (same secret and passphrase as the demo key) on `exchange`, of the same uid 10001 as the
    /// demo account, and a third key of another uid.
    static func accountsWithSecondKey() -> [SimAccount] {
        var accounts = SimAccount.demoAccounts
        for exchange in SimAccount.exchanges {
            accounts.append(SimAccount(
                exchange: exchange, apiKey: TestCredentials.secondKey, secret: TestCredentials.secret,
                passphrase: TestCredentials.passphrase, uid: "10001", accountId: "100009"
            ))
            accounts.append(SimAccount(
                exchange: exchange, apiKey: TestCredentials.otherAccountKey, secret: TestCredentials.secret,
                passphrase: TestCredentials.passphrase, uid: "20002", accountId: "200009"
            ))
        }
        return accounts
    }

    func status(_ exchange: String, _ id: String) async -> String? {
        await sim.orders(exchange: exchange, market: nil, status: "all").first { $0.id == id }?.status
    }
}
