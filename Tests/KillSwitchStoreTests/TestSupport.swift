import Foundation
import KillSwitchCore
@testable import KillSwitchStore

/// A fresh temporary directory per test, removed at deinit.
final class TemporaryDirectory {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "killswitch-test-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

enum Fixtures {
    static let venues: [VenueDescriptor] = [
        VenueDescriptor(id: "binance-main", kind: .binanceCoinM, account: "main", baseURL: "http://127.0.0.1:1", market: VenueMarket(),
                        contracts: ["BTCUSD_PERP": ContractSpec(multiplier: DecimalAmount("100")!, inverse: true)]),
        VenueDescriptor(id: "gate-fut", kind: .gateFutures, account: "main", baseURL: "http://127.0.0.1:1", market: VenueMarket(settle: "usdt")),
        VenueDescriptor(id: "bitget-main", kind: .bitgetMix, account: "sub1", baseURL: "http://127.0.0.1:1",
                        market: VenueMarket(productType: "USDT-FUTURES", marginCoin: "USDT")),
    ]

    static func store(_ dir: TemporaryDirectory, clock: WallClock = WallClock { 1_700_000_000_000 }) throws -> Store {
        try Store(options: StoreOptions(path: dir.file("ks.db")), venues: venues, clock: clock)
    }

    static func event(_ id: String, venueOrderId: String? = "1", clientOrderId: String? = nil, status: OrderStatus = .new,
                      filled: String? = nil, quantity: String? = "10", price: String? = "100", symbol: String = "BTCUSD_PERP",
                      venue: String = "binance-main") -> OrderEvent {
        OrderEvent(eventId: id, venueId: venue, account: venues.first { $0.id == venue }!.account, symbol: symbol,
                   venueOrderId: venueOrderId, clientOrderId: clientOrderId, status: status, side: .buy,
                   price: price.flatMap(DecimalAmount.init), quantity: quantity.flatMap(DecimalAmount.init),
                   filledQuantity: filled.flatMap(DecimalAmount.init), time: 1_700_000_000_000)
    }
}
