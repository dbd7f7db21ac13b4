import Foundation
import Testing
import KillSwitchConfig
import KillSwitchCore
import KillSwitchDaemon
import KillSwitchStore
@testable import VenueSim

/// `strategy = "auto"` per venue kind against venue-sim: where the venue's cancel-all is allowed and faster
/// it takes the entry's orders, each order gets its own outcome — `cancelled` where the cancel-all's answer names
/// it (Gate, Bitget), else settled by a listing made after it (`closedAfterCancelAll`) — a listing after it
/// decides `flat`, and nothing outside the scope is touched — the ledger checked order by order.
extension EngineIntegration {
@Suite(.serialized) struct AutoStrategyTests {
    static func spec(_ id: String) -> EngineHarness.VenueSpec { EngineHarness.specs.first { $0.id == id }! }

    /// The venue's batch cancels made slow (its published limits are generous for a small book), so that `auto`
    /// judges the cancel-all faster; listings and the cancel-all keep their figures (Gate and Binance share one
    /// pool for both, and a Binance listing without a symbol weighs 40).
    static let slowById: [String: (pool: String, limit: BucketLimit, perSymbol: Int)] = [
        "gate-fut": ("gate-futures/cancels", BucketLimit(capacity: 2, window: .seconds(1)), 30),
        "gate-spot": ("gate-spot/cancels", BucketLimit(capacity: 2, window: .seconds(1)), 30),
        "htx": ("htx-spot/batchcancel", BucketLimit(capacity: 1, window: .seconds(2)), 60),
        "bitget": ("bitget-mix/batch-cancel-orders", BucketLimit(capacity: 1, window: .seconds(1)), 60),
        "binance": ("binance-coinm/weight", BucketLimit(capacity: 200, window: .seconds(60)), 1_050),
    ]

    /// For a symbol scope: one symbol's orders must be more than the batch-cancel burst; Binance's listings
    /// name the symbol there (weight 1), so its pool can be small.
    static let slowByIdOnASymbol: [String: (pool: String, limit: BucketLimit, perSymbol: Int)] = [
        "gate-fut": ("gate-futures/cancels", BucketLimit(capacity: 2, window: .seconds(1)), 60),
        "gate-spot": ("gate-spot/cancels", BucketLimit(capacity: 2, window: .seconds(1)), 60),
        "htx": ("htx-spot/batchcancel", BucketLimit(capacity: 1, window: .seconds(2)), 60),
        "bitget": ("bitget-mix/batch-cancel-orders", BucketLimit(capacity: 1, window: .seconds(1)), 60),
        "binance": ("binance-coinm/weight", BucketLimit(capacity: 30, window: .seconds(60)), 350),
    ]

    /// The demo accounts plus a second venue account on every exchange (key `other-api-key`, uid 20002): its
    /// orders share the entry's market but not its venue account, so no cancel-all of ours may reach them.
    static var simConfiguration: VenueSimConfiguration {
        var sim = VenueSimConfiguration()
        sim.accounts += SimAccount.exchanges.map { exchange in
            SimAccount(exchange: exchange, apiKey: "other-api-key", secret: "other-secret", passphrase: exchange == "bitget" ? "other-passphrase" : nil,
                       uid: "20002", accountId: exchange == "htx" ? "200009" : nil)
        }
        return sim
    }

    struct Book {
        var entry: [String] = []
        var tracked: Int = 0
        var otherAccount: [String] = []
        var otherVenue: [String] = []
    }

    /// The entry's orders on two symbols (reported) and one on a third symbol that nobody reported; orders of
    /// another venue account on the same market; and another venue's orders.
    static func seed(_ spec: EngineHarness.VenueSpec, perSymbol: Int, harness: EngineHarness, store: Store) async throws -> Book {
        var book = Book()
        var seeds: [SimOrderSeed] = []
        var events: [OrderEvent] = []
        let prefix = ScopedBook.clientPrefix(spec)
        func seed(_ id: Int, _ symbol: String, key: String = "test-api-key", exchange: EngineHarness.VenueSpec? = nil) {
            let s = exchange ?? spec
            seeds.append(SimOrderSeed(exchange: s.exchange, market: s.market, settle: s.settle, productType: s.productType, symbol: symbol, id: String(id),
                                      clientOrderId: ScopedBook.clientPrefix(s) + "bot-\(id)", side: "buy", price: "100", quantity: "1", apiKey: key,
                                      account: s.kind == .gateSpot ? "spot" : nil))
        }
        var id = 700_000
        for symbol in spec.symbols.prefix(2) {
            for _ in 0..<perSymbol {
                id += 1
                seed(id, symbol)
                book.entry.append(String(id))
                events.append(OrderEvent(eventId: "auto-\(id)", venueId: spec.id, account: "main", symbol: symbol, venueOrderId: String(id),
                                         clientOrderId: prefix + "bot-\(id)", status: .acknowledged, side: .buy, price: DecimalAmount("100"), quantity: DecimalAmount("1"), time: nil))
            }
        }
        book.tracked = book.entry.count
        id += 1; seed(id, spec.symbols[2]); book.entry.append(String(id))
        id += 1; seed(id, spec.symbols[0], key: "other-api-key"); book.otherAccount.append(String(id))
        let other = EngineHarness.specs.first { $0.exchange != spec.exchange }!
        id += 1; seed(id, other.symbols[0], exchange: other); book.otherVenue.append(String(id))
        _ = try await harness.sim.seed(seeds)
        _ = try await store.ingest(events)
        return book
    }

    /// A simulator and a daemon with `strategy = "auto"`, the venue's batch cancels held to `limit`, the entry's
    /// book seeded (`seed`), and the simulator's request count before the trip.
    struct Drill {
        let harness: EngineHarness
        let daemon: Daemon
        let book: Book
        let before: Int

        func shutdown() async {
            try? await daemon.shutdown()
            await harness.shutdown()
        }
    }

    static func drill(_ spec: EngineHarness.VenueSpec, pool: String, limit: BucketLimit, perSymbol: Int, sim: VenueSimConfiguration = simConfiguration,
                      engine: EngineSettings = KeepRulesTests.engine(.auto)) async throws -> Drill {
        let harness = try await EngineHarness.start(simConfiguration: sim, engine: engine, strategy: .auto)
        do {
            let daemon = try await harness.makeDaemon(rateLimitOverrides: [pool: limit])
            do {
                let book = try await seed(spec, perSymbol: perSymbol, harness: harness, store: daemon.store)
                return Drill(harness: harness, daemon: daemon, book: book, before: await harness.sim.requests().count)
            } catch {
                try? await daemon.shutdown()
                throw error
            }
        } catch {
            await harness.shutdown()
            throw error
        }
    }

    @Test(arguments: EngineHarness.specs.map(\.id))
    func autoTakesAWholeEntryWithTheVenuesCancelAllAndAListingAfterItDecidesFlat(venue: String) async throws {
        let spec = Self.spec(venue), slow = Self.slowById[venue]!
        let drill = try await Self.drill(spec, pool: slow.pool, limit: slow.limit, perSymbol: slow.perSymbol)
        defer { Task { await drill.shutdown() } }
        let (harness, daemon, book, before) = (drill.harness, drill.daemon, drill.book, drill.before)

        let incident = await daemon.engine.trip(scope: Scope(venue: venue), reason: "auto drill", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        // Order by order: every order of the entry is gone, the other account's and the other venue's rest.
        let all = await harness.sim.orders()
        let status = Dictionary(all.map { ($0.id, $0.status) }, uniquingKeysWith: { a, _ in a })
        #expect(book.entry.filter { status[$0] != "cancelled" } == [])
        #expect((book.otherAccount + book.otherVenue).filter { status[$0] != "open" } == [])
        // The cancel-all did it (Binance: one per reported symbol; the unreported symbol's order by id).
        let wholesale = await ScopedBook.wholesaleRequests(harness, exchange: spec.exchange, since: before)
        // Binance: one per reported symbol; HTX: rounds of 100 until next-id is -1.
        let expected = spec.kind == .binanceCoinM ? 2 : spec.kind == .htxSpot ? (book.entry.count + 99) / 100 : 1
        #expect(wholesale.count == expected, "\(wholesale.map(\.path))")
        #expect(Set(wholesale.flatMap(\.orderIds)).isDisjoint(with: book.otherAccount + book.otherVenue))
        // Each reported order has its own outcome: the venue's word where its cancel-all answer names the orders it
        // cancelled (Gate, Bitget: `cancelled`, against the cancel-all's request), else settled by a listing after it.
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        let outcomes = try db.scalarText("SELECT group_concat(k || ':' || o || ':' || n, ' ') FROM (SELECT i.kind AS k, o.outcome AS o, count(*) AS n FROM cancel_outcomes o LEFT JOIN cancel_intents i ON i.id = o.intent_id WHERE o.incident_id = \(incident) GROUP BY 1, 2)") ?? ""
        let answerNamesOrders = [.gateFutures, .gateSpot, .bitgetMix].contains(spec.kind)
        #expect(try db.scalarInt("SELECT count(DISTINCT order_id) FROM cancel_outcomes WHERE incident_id = \(incident) AND outcome = 'closedAfterCancelAll'")
                == (answerNamesOrders ? 0 : Int64(book.tracked)), "\(outcomes)")
        #expect(try db.scalarInt("""
            SELECT count(DISTINCT o.order_id) FROM cancel_outcomes o JOIN cancel_intents i ON i.id = o.intent_id
            WHERE o.incident_id = \(incident) AND o.outcome = 'cancelled' AND i.kind = 'cancel-all-plan'
            """) == (answerNamesOrders ? Int64(book.tracked) : 0), "\(outcomes)")
        #expect(try db.scalarInt("""
            SELECT count(*) FROM cancel_outcomes o JOIN cancel_intents i ON i.id = o.intent_id
            WHERE o.incident_id = \(incident) AND o.outcome = 'closedAfterCancelAll' AND i.kind != 'list-open'
            """) == 0, "closedAfterCancelAll only ever comes from a listing")
        #expect(try db.scalarInt("SELECT count(*) FROM orders WHERE venue_id = '\(venue)' AND status IN ('new','acknowledged','partiallyFilled')") == 0)
        #expect(try db.scalarText("SELECT detail FROM audit_events WHERE kind = 'cancel-strategy' AND incident_id = \(incident)")?.contains("cancel-all is faster") == true)
        // flat came from a listing made after the cancel-all was answered.
        let lastCancelAll = try #require(try db.scalarInt("SELECT max(r.answered_at) FROM cancel_intents i JOIN cancel_responses r ON r.intent_id = i.id WHERE i.incident_id = \(incident) AND i.kind = 'cancel-all-plan'"))
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents WHERE incident_id = \(incident) AND kind = 'list-open' AND sent_at >= \(lastCancelAll)") ?? 0 >= 1)
    }

    @Test(arguments: EngineHarness.specs.map(\.id))
    func aSymbolScopeTakesThePerSymbolCancelAllAndNothingElse(venue: String) async throws {
        let spec = Self.spec(venue), slow = Self.slowByIdOnASymbol[venue]!
        let drill = try await Self.drill(spec, pool: slow.pool, limit: slow.limit, perSymbol: slow.perSymbol)
        defer { Task { await drill.shutdown() } }
        let (harness, daemon, book, before) = (drill.harness, drill.daemon, drill.book, drill.before)
        let incident = await daemon.engine.trip(scope: Scope(venue: venue, symbol: spec.symbols[0]), reason: "symbol drill", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        let orders = await harness.sim.orders()
        let bySymbol = Dictionary(grouping: orders.filter { book.entry.contains($0.id) }, by: \.symbol)
        #expect(bySymbol[spec.symbols[0]]?.allSatisfy { $0.status == "cancelled" } == true)
        #expect(orders.filter { book.entry.contains($0.id) && $0.symbol != spec.symbols[0] }.allSatisfy { $0.status == "open" }, "other symbols rest")
        #expect(orders.filter { (book.otherAccount + book.otherVenue).contains($0.id) }.allSatisfy { $0.status == "open" })
        let wholesale = await ScopedBook.wholesaleRequests(harness, exchange: spec.exchange, since: before)
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        let why = try db.scalarText("SELECT detail FROM audit_events WHERE kind = 'cancel-strategy' AND incident_id = \(incident)") ?? ""
        let sent = await harness.sim.requests(since: before).filter { $0.exchange == spec.exchange }.map { "\($0.method) \($0.path) \($0.verdict)" }
        // Bitget v2 mix has no per-symbol cancel-all: by id there, whatever the counts.
        #expect(wholesale.count == (spec.kind == .bitgetMix ? 0 : 1), "\(why) \(sent.prefix(12))")
    }

    @Test func aRefusedCancelAllLosesNothingTheOrdersGoById() async throws {
        // Gate's older SDK has `contract` required for the futures cancel-all: the venue refuses the entry-wide one.
        var sim = Self.simConfiguration
        sim.compatibility.gateFuturesCancelAllRequiresContract = true
        let slow = Self.slowById["gate-fut"]!
        let drill = try await Self.drill(Self.spec("gate-fut"), pool: slow.pool, limit: BucketLimit(capacity: 2, window: .milliseconds(100)), perSymbol: 30, sim: sim)
        defer { Task { await drill.shutdown() } }
        let (harness, daemon, book) = (drill.harness, drill.daemon, drill.book)
        let incident = await daemon.engine.trip(scope: Scope(venue: "gate-fut"), reason: "refused drill", actor: "tests")
        #expect(await daemon.engine.waitForIncident(incident) == .flat)
        let status = Dictionary(await harness.sim.orders().map { ($0.id, $0.status) }, uniquingKeysWith: { a, _ in a })
        #expect(book.entry.filter { status[$0] != "cancelled" } == [])
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents WHERE incident_id = \(incident) AND kind = 'cancel-all-plan'") == 1)
        let outcomes = try db.scalarText("SELECT group_concat(k || ':' || o || ':' || n, ' ') FROM (SELECT i.kind AS k, o.outcome AS o, count(*) AS n FROM cancel_outcomes o JOIN cancel_intents i ON i.id = o.intent_id WHERE o.incident_id = \(incident) GROUP BY 1, 2)") ?? ""
        #expect(try db.scalarInt("SELECT count(DISTINCT o.order_id) FROM cancel_outcomes o JOIN cancel_intents i ON i.id = o.intent_id WHERE o.incident_id = \(incident) AND i.kind = 'batch-cancel' AND o.outcome = 'cancelled'") == Int64(book.entry.count), "the reported ones and the one a listing found: \(outcomes)")
    }
}
}

extension EngineIntegration.AutoStrategyTests {
    /// Shadow mode records the plan a live `auto` trip would follow — its cancel-all included — and sends nothing.
    @Test func aShadowTripRecordsTheCancelAllItWouldSendAndSendsNothing() async throws {
        let slow = Self.slowById["bitget"]!
        var engine = EngineIntegration.KeepRulesTests.engine(.auto)
        engine.mode = EngineMode.shadow
        let drill = try await Self.drill(Self.spec("bitget"), pool: slow.pool, limit: slow.limit, perSymbol: slow.perSymbol, engine: engine)
        defer { Task { await drill.shutdown() } }
        let (harness, daemon, book, before) = (drill.harness, drill.daemon, drill.book, drill.before)
        let incident = await daemon.engine.trip(scope: Scope(venue: "bitget"), reason: "shadow auto drill", actor: "tests")
        #expect(await harness.sim.requests(since: before).allSatisfy { $0.method == "GET" })
        #expect(await harness.sim.orders(exchange: "bitget", status: "open").count == book.entry.count + book.otherAccount.count)
        let db = try SQLiteConnection(path: harness.configuration.database, mode: .readOnly)
        let intents = (try db.scalarText("SELECT group_concat(kind || ':' || json_array_length(order_ids), ' ') FROM cancel_intents WHERE incident_id = \(incident)") ?? "")
            + " rows: \(try db.scalarInt("SELECT count(*) FROM orders WHERE venue_id = 'bitget'") ?? -1), listed: \(await harness.sim.requests(since: before).map { "\($0.path.split(separator: "/").last ?? "") \($0.status)" })"
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_intents WHERE incident_id = \(incident) AND kind = 'shadow-cancel-all'") == 1)
        #expect(try db.scalarInt("SELECT json_array_length(order_ids) FROM cancel_intents WHERE incident_id = \(incident) AND kind = 'shadow-cancel-all'") == Int64(book.entry.count),
                "the orders it would take, the one only a listing found included: \(intents)")
        #expect(try db.scalarText("SELECT detail FROM audit_events WHERE kind = 'cancel-strategy' AND incident_id = \(incident)")?.contains("cancel-all (whole entry)") == true)
    }
}
