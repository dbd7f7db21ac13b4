import Foundation
import KillSwitchCore
import VenueSim

/// The demo's five venue accounts (one per venue kind, all served by the in-process simulator) and a
/// realistic resting book for each: price ladders on both sides of a mid, mixed sizes, client ids on most
/// orders, and a few orders the tracker was never told about, some of them manual (the final sweep must still
/// find them all).
struct DemoBook {
    struct Venue {
        var id: String
        var kind: VenueKind
        var exchange: String
        var market: String
        var settle: String?
        var productType: String?
        var marginCoin: String?
        var accountId: String?
        var gateAccount: String?
        /// Symbol → mid price.
        var symbols: [(symbol: String, mid: Double)]
        var orders: Int
    }

    static let venues: [Venue] = [
        Venue(id: "gate-futures-main", kind: .gateFutures, exchange: "gate", market: "futures", settle: "usdt",
              symbols: [("BTC_USDT", 97_000), ("ETH_USDT", 3_400), ("SOL_USDT", 240), ("DOGE_USDT", 0.41)], orders: 900),
        Venue(id: "gate-spot-main", kind: .gateSpot, exchange: "gate", market: "spot", gateAccount: "spot",
              symbols: [("BTC_USDT", 97_000), ("ETH_USDT", 3_400), ("SOL_USDT", 240)], orders: 700),
        Venue(id: "htx-main", kind: .htxSpot, exchange: "htx", market: "spot", accountId: "100009",
              symbols: [("btcusdt", 97_000), ("ethusdt", 3_400), ("trxusdt", 0.25)], orders: 500),
        Venue(id: "bitget-main", kind: .bitgetMix, exchange: "bitget", market: "futures", productType: "USDT-FUTURES", marginCoin: "USDT",
              symbols: [("BTCUSDT", 97_000), ("ETHUSDT", 3_400), ("SOLUSDT", 240), ("XRPUSDT", 2.3)], orders: 400),
        Venue(id: "binance-main", kind: .binanceCoinM, exchange: "binance", market: "futures",
              symbols: [("BTCUSD_PERP", 97_000), ("ETHUSD_PERP", 3_400)], orders: 600),
    ]

    /// Orders resting on the venue that no event ever reported (a bot that crashed before reporting them).
    static let untrackedPerVenue = 5

    /// How many of the untracked orders are manual (odd positions past the reported ones).
    static var manualCount: Int {
        venues.reduce(0) { total, venue in total + (venue.orders..<(venue.orders + untrackedPerVenue)).filter { $0 % 2 == 1 }.count }
    }
    static let apiKey = "test-api-key"

    struct Seeded {
        var simOrders: [SimOrderSeed]
        var events: [OrderEvent]
    }

    /// Deterministic: the same book on every run.
    static func make() -> Seeded {
        var seeds: [SimOrderSeed] = []
        var events: [OrderEvent] = []
        var generator = SplitMix64(seed: 20261125)
        for (venueIndex, venue) in venues.enumerated() {
            for i in 0..<(venue.orders + untrackedPerVenue) {
                let (symbol, mid) = venue.symbols[i % venue.symbols.count]
                let side = i % 2 == 0 ? "buy" : "sell"
                // Ladder levels 1–40 ticks of 0.05% away from mid, on the resting side.
                let level = Double(1 + Int(generator.next() % 40))
                let price = mid * (side == "buy" ? 1 - level * 0.0005 : 1 + level * 0.0005)
                let quantity = [1, 2, 3, 5, 8, 10, 20][Int(generator.next() % 7)]
                let id = String(7_000_000_000 + venueIndex * 10_000_000 + i)
                // Some untracked orders are a trader's manual ones: no client id, origin `web` (Gate reports the
                // label in the client-id field, shared by all of them). Gate client ids carry Gate's `t-` prefix.
                let manual = i >= venue.orders && i % 2 == 1
                let gate = venue.kind == .gateFutures || venue.kind == .gateSpot
                let clientId = manual || i % 10 == 9 ? nil : (gate ? VenueKind.gateClientIdPrefix : "") + "bot7-\(venue.id.prefix(4))-\(i)"
                let priceText = format(price)
                seeds.append(SimOrderSeed(exchange: venue.exchange, market: venue.market, settle: venue.settle, productType: venue.productType,
                                          symbol: symbol, id: id, clientOrderId: clientId, side: side, price: priceText,
                                          quantity: String(quantity), apiKey: apiKey, origin: manual ? "web" : nil))
                guard i < venue.orders else { continue }
                events.append(OrderEvent(eventId: "demo-\(venue.id)-\(i)", venueId: venue.id, account: "main", symbol: symbol, venueOrderId: id,
                                         clientOrderId: clientId, status: .acknowledged, side: side == "buy" ? .buy : .sell,
                                         price: DecimalAmount(priceText), quantity: DecimalAmount(String(quantity)), time: nil))
            }
        }
        return Seeded(simOrders: seeds, events: events)
    }

    static func format(_ price: Double) -> String {
        price >= 100 ? String(format: "%.1f", price) : price >= 1 ? String(format: "%.3f", price) : String(format: "%.5f", price)
    }
}

