import Foundation
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
@testable import VenueSim

/// A book on one venue entry of venue-sim for the scope-aware kill's tests: per order, which side of the line
/// it must end on. Orders on `symbols[0]` are the trip's; on `symbols[1]` they are outside it; `hedge-` client
/// ids on `symbols[0]` are kept. Some of each were never reported to the daemon (only a listing can find them).
struct ScopedBook {
    let spec: EngineHarness.VenueSpec
    var inScope: [String] = []
    var kept: [String] = []
    var outside: [String] = []

    /// The trip covering the in-scope orders: the entry's first symbol.
    var scope: Scope { Scope(venue: spec.id, symbol: spec.symbols[0]) }

    /// Gate takes a client's own id only with its `t-` prefix.
    static func clientPrefix(_ spec: EngineHarness.VenueSpec) -> String { spec.exchange == "gate" ? "t-" : "" }

    /// What the entry keeps: `hedge-` client ids (Gate `t-hedge-`).
    static func keep(_ spec: EngineHarness.VenueSpec, cap: String = "1000000") -> KeepRules {
        KeepRules(clientIdPrefixes: [clientPrefix(spec) + "hedge-"], maxKeptNotional: DecimalAmount(cap)!)
    }

    /// `through`: report the orders through the daemon (its rules and checks see them) rather than the store alone.
    static func seed(_ spec: EngineHarness.VenueSpec, harness: EngineHarness, store: Store, base: Int = 500_000, perGroup: Int = 4,
                     through daemon: Daemon? = nil) async throws -> ScopedBook {
        var book = ScopedBook(spec: spec)
        var seeds: [SimOrderSeed] = []
        var events: [OrderEvent] = []
        let prefix = clientPrefix(spec)
        func add(_ id: Int, symbol: String, client: String, tracked: Bool) {
            let venueId = String(id)
            seeds.append(SimOrderSeed(exchange: spec.exchange, market: spec.market, settle: spec.settle, productType: spec.productType, symbol: symbol,
                                      id: venueId, clientOrderId: client, side: id % 2 == 0 ? "buy" : "sell", price: "100", quantity: "1",
                                      apiKey: "test-api-key", account: spec.kind == .gateSpot ? "spot" : nil))
            guard tracked else { return }
            events.append(OrderEvent(eventId: "book-\(spec.id)-\(id)", venueId: spec.id, account: "main", symbol: symbol, venueOrderId: venueId,
                                     clientOrderId: client, status: .acknowledged, side: id % 2 == 0 ? .buy : .sell,
                                     price: DecimalAmount("100"), quantity: DecimalAmount("1"), time: nil))
        }
        for i in 0...perGroup {
            // The last of each group is never reported: only a listing shows it.
            let tracked = i < perGroup
            add(base + i, symbol: spec.symbols[0], client: prefix + "bot-\(base + i)", tracked: tracked)
            book.inScope.append(String(base + i))
            add(base + 100 + i, symbol: spec.symbols[0], client: prefix + "hedge-\(base + 100 + i)", tracked: tracked)
            book.kept.append(String(base + 100 + i))
            add(base + 200 + i, symbol: spec.symbols[1], client: prefix + "bot-\(base + 200 + i)", tracked: tracked)
            book.outside.append(String(base + 200 + i))
        }
        _ = try await harness.sim.seed(seeds)
        if let daemon {
            _ = try await daemon.ingest(events.map { .success($0) })
        } else {
            _ = try await store.ingest(events)
        }
        return book
    }

    /// Each seeded order's status in the simulator's ledger.
    func ledger(_ harness: EngineHarness) async -> [String: String] {
        let orders = await harness.sim.orders(exchange: spec.exchange, market: spec.market)
        return Dictionary(orders.map { ($0.id, $0.status) }, uniquingKeysWith: { a, _ in a })
    }

    /// Order by order: which ids ended on the wrong side of the line (empty when none).
    func misplaced(_ harness: EngineHarness, inScopeCancelled: Bool = true) async -> [String] {
        let ledger = await ledger(harness)
        var wrong: [String] = []
        for id in kept where ledger[id] != "open" { wrong.append("kept \(id): \(ledger[id] ?? "missing")") }
        for id in outside where ledger[id] != "open" { wrong.append("outside \(id): \(ledger[id] ?? "missing")") }
        if inScopeCancelled {
            for id in inScope where ledger[id] != "cancelled" { wrong.append("in scope \(id): \(ledger[id] ?? "missing")") }
        }
        return wrong
    }

    /// Requests to the venue's wholesale cancel endpoints (cancel-all in any form) since `since`.
    static func wholesaleRequests(_ harness: EngineHarness, exchange: String, since: Int = 0) async -> [SimRequestLogEntry] {
        await harness.sim.requests(since: since).filter { $0.exchange == exchange && isWholesale($0) }
    }

    static func isWholesale(_ request: SimRequestLogEntry) -> Bool {
        switch request.exchange {
        case "gate": request.method == "DELETE" && (request.path.hasSuffix("/spot/orders") || request.path.hasSuffix("/orders"))
        case "htx": request.path.hasSuffix("batchCancelOpenOrders")
        case "bitget": request.path.hasSuffix("cancel-all-orders")
        case "binance": request.path.hasSuffix("allOpenOrders")
        default: false
        }
    }
}
