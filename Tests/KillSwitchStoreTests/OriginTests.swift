import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchStore

/// Origin labels are not client ids, at ingest and when adopting a venue's listing; and adopting a
/// listing never fails it.
@Suite struct OriginTests {
    static func validate(_ json: String) -> Result<OrderEvent, EventError> {
        let results = try! OrderEventValidator(venues: Fixtures.venues).validate(json: Data(json.utf8))
        return results[0]
    }

    static func gateEvent(_ client: String, venueOrderId: String? = "7001") -> String {
        let venue = venueOrderId.map { #""venueOrderId": "\#($0)", "# } ?? ""
        return #"{"eventId": "e1", "venue": "gate-fut", "symbol": "BTC_USDT", \#(venue)"clientOrderId": "\#(client)", "status": "new"}"#
    }

    // MARK: Ingest

    @Test(arguments: ["web", "api", "app", "apiv4", "3", "101", "liquidation", "auto_deleveraging", "t-", "T-upper", "bot7-o-1"])
    func aGateClientIdThatIsNotTPrefixedIsMovedToOriginWithAWarning(label: String) throws {
        let event = try Self.validate(Self.gateEvent(label)).get()
        #expect(event.clientOrderId == nil)
        #expect(event.origin == label)
        #expect(event.warnings.map(\.field) == ["clientOrderId"])
        #expect(event.warnings[0].description.hasPrefix("events[0].clientOrderId: \"\(label)\" is not a gate-futures client order id"))
    }

    @Test func aGateTPrefixedClientIdAndOtherVenuesClientIdsAreKept() throws {
        let gate = try Self.validate(Self.gateEvent("t-bot7-1")).get()
        #expect(gate.clientOrderId == "t-bot7-1" && gate.origin == nil && gate.warnings.isEmpty)
        // Binance fills clientOrderId itself for manual orders (`web_…`): unique, so a client id as given.
        let binance = try Self.validate(#"{"eventId": "e1", "venue": "binance-main", "symbol": "BTCUSD_PERP", "venueOrderId": "1", "clientOrderId": "web", "status": "new"}"#).get()
        #expect(binance.clientOrderId == "web" && binance.origin == nil && binance.warnings.isEmpty)
    }

    @Test func aGateOriginLabelWithoutAVenueOrderIdIsRejectedNamingTheField() {
        let result = Self.validate(Self.gateEvent("web", venueOrderId: nil))
        guard case .failure(let error) = result else { Issue.record("expected a rejection, got \(result)"); return }
        #expect(error.field == "clientOrderId")
        #expect(error.reason.hasSuffix("an event with it needs venueOrderId"))
    }

    @Test func manyOrdersSharingAnOriginLabelAreEachStoredWithTheirOrigin() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let events = (1...3).map { Self.gateEvent("web", venueOrderId: "70\($0)").replacingOccurrences(of: "e1", with: "e\($0)") }
        let validated = try OrderEventValidator(venues: Fixtures.venues).validate(json: Data("[\(events.joined(separator: ","))]".utf8))
        let results = try await store.ingest(validated)
        #expect(results.allSatisfy { if case .stored = $0 { true } else { false } }, "\(results)")
        let stored = try await store.orders(OrderFilter(scope: Scope(venue: "gate-fut")))
        #expect(stored.count == 3)
        #expect(stored.allSatisfy { $0.clientOrderId == nil && $0.origin == "web" })
        // The event rows say what was received: the label as origin.
        let db = try SQLiteConnection(path: dir.file("ks.db"), mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM order_events WHERE origin = 'web' AND client_order_id IS NULL") == 3)
    }

    // MARK: Adopting a listing

    @Test func listedOrdersWithoutClientIdsAreAdoptedWithTheirOrigin() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let listed = ["1", "2", "3"].map { VenueOpenOrder(symbol: "BTC_USDT", venueOrderId: $0, clientOrderId: nil, origin: "web") }
        let adoption = await store.adoptListed(venueId: "gate-fut", orders: listed)
        #expect(adoption.unrecorded.isEmpty && adoption.clientIdsMoved.isEmpty)
        #expect(adoption.targets.map(\.venueOrderId) == ["1", "2", "3"])
        #expect(adoption.targets.allSatisfy { $0.orderId > 0 })
        let stored = try await store.orders(ids: adoption.targets.map(\.orderId))
        #expect(stored.map(\.origin) == ["web", "web", "web"])
        // Listed again: the same rows.
        let again = await store.adoptListed(venueId: "gate-fut", orders: listed)
        #expect(again.targets.map(\.orderId) == adoption.targets.map(\.orderId))
    }

    @Test func aClientIdReusedByAnotherVenueOrderMovesToItAndIsAudited() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let old = try await store.ingest([Fixtures.event("e1", venueOrderId: "5001", clientOrderId: "t-reused", status: .filled, filled: "10",
                                                         symbol: "BTC_USDT", venue: "gate-fut")])
        let oldId = try #require(old[0].orderId)
        let incident = try await store.createIncident(scope: Scope(venue: "gate-fut"), ruleId: nil, actor: nil, reason: "test", deadlineAt: nil)
        let adoption = await store.adoptListed(venueId: "gate-fut", orders: [
            VenueOpenOrder(symbol: "BTC_USDT", venueOrderId: "5002", clientOrderId: "t-reused"),
            VenueOpenOrder(symbol: "BTC_USDT", venueOrderId: "5003", clientOrderId: nil, origin: "web"),
        ], incidentId: incident.id)
        #expect(adoption.unrecorded.isEmpty)
        let newId = adoption.targets[0].orderId
        #expect(newId > 0 && newId != oldId)
        #expect(adoption.clientIdsMoved == [ListingAdoption.ClientIdMove(clientOrderId: "t-reused", fromOrderId: oldId, fromVenueOrderId: "5001",
                                                                         toOrderId: newId, toVenueOrderId: "5002")])
        let rows = try await store.orders(ids: [oldId, newId])
        #expect(rows.map(\.venueOrderId) == ["5001", "5002"])
        #expect(rows.map(\.clientOrderId) == [nil, "t-reused"])
        #expect(rows.map(\.status) == [.filled, .acknowledged], "the old row keeps its state")
        let db = try SQLiteConnection(path: dir.file("ks.db"), mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM audit_events WHERE kind = 'client-id-moved' AND incident_id = \(incident.id)") == 1)
        // A later event by client id alone belongs to the order the venue gives that id now.
        let later = try await store.ingest([Fixtures.event("e2", venueOrderId: nil, clientOrderId: "t-reused", status: .cancelled,
                                                           symbol: "BTC_USDT", venue: "gate-fut")])
        #expect(later[0].orderId == newId)
    }

    @Test func aRowThatCannotBeWrittenIsReturnedUnderASyntheticIdAndTheRestAreAdopted() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let writer = try SQLiteConnection(path: dir.file("ks.db"))
        try writer.execute("""
            CREATE TRIGGER test_refuse BEFORE INSERT ON orders WHEN NEW.venue_order_id = '2'
            BEGIN SELECT RAISE(ABORT, 'row refused by the test'); END
            """)
        let listed = ["1", "2", "3"].map { VenueOpenOrder(symbol: "BTC_USDT", venueOrderId: $0, clientOrderId: nil, origin: "api") }
        let adoption = await store.adoptListed(venueId: "gate-fut", orders: listed)
        #expect(adoption.targets.map(\.venueOrderId) == ["1", "2", "3"], "one target per listed order, in order")
        let synthetic = ListingAdoption.syntheticOrderId(venueId: "gate-fut", venueOrderId: "2")
        #expect(synthetic < 0)
        #expect(adoption.targets[1].orderId == synthetic)
        #expect(adoption.unrecorded.map(\.target.venueOrderId) == ["2"])
        #expect(adoption.unrecorded[0].reason.contains("row refused by the test"))
        #expect(adoption.targets[0].orderId > 0 && adoption.targets[2].orderId > 0)
        #expect(try await store.orders(OrderFilter(scope: Scope(venue: "gate-fut"))).map(\.venueOrderId) == ["1", "3"])
        #expect(store.orderStatusCounts.snapshot[.acknowledged] == 2, "the refused row's status change is undone too")

        // Outcomes for it are skipped; the others of the same answer are recorded.
        let incident = try await store.createIncident(scope: Scope(venue: "gate-fut"), ruleId: nil, actor: nil, reason: "test", deadlineAt: nil)
        let intent = try await store.recordIntent(incidentId: incident.id, attempt: 1, venueId: "gate-fut", symbol: nil, kind: "batch-cancel", targets: adoption.targets)
        try await store.recordAnswer(incidentId: incident.id, intentId: intent, httpStatus: 200, venueCode: nil, rawBody: "[]", latencyNanoseconds: 1,
                                     transportError: nil, outcomes: adoption.targets.map { OrderCancelOutcome(target: $0, kind: .cancelled) }, attempts: [:])
        let db = try SQLiteConnection(path: dir.file("ks.db"), mode: .readOnly)
        #expect(try db.scalarInt("SELECT count(*) FROM cancel_outcomes WHERE incident_id = \(incident.id)") == 2)
        #expect(try await store.orders(OrderFilter(scope: Scope(venue: "gate-fut"))).isEmpty, "both recorded orders closed")
    }

    @Test func aListingForAnUnknownVenueIsStillReturnedWhole() async throws {
        let dir = TemporaryDirectory()
        let store = try Fixtures.store(dir)
        let adoption = await store.adoptListed(venueId: "nope", orders: [VenueOpenOrder(symbol: "X", venueOrderId: "1", clientOrderId: nil)])
        #expect(adoption.targets.count == 1 && adoption.targets[0].orderId < 0 && adoption.unrecorded.count == 1)
    }

    @Test func syntheticIdsAreNegativeAndStablePerVenueOrder() {
        let a = ListingAdoption.syntheticOrderId(venueId: "gate-fut", venueOrderId: "1")
        #expect(a < 0)
        #expect(a == ListingAdoption.syntheticOrderId(venueId: "gate-fut", venueOrderId: "1"))
        #expect(a != ListingAdoption.syntheticOrderId(venueId: "gate-fut", venueOrderId: "2"))
        #expect(a != ListingAdoption.syntheticOrderId(venueId: "gate-spot", venueOrderId: "1"))
    }

    // MARK: Migration 0003

    @Test func migrationMovesGateOriginLabelsOutOfClientIds() throws {
        let dir = TemporaryDirectory()
        let db = try SQLiteConnection(path: dir.file("m.db"))
        let all = try Migration.embedded()
        _ = try Migrator(migrations: Array(all.prefix(2))).migrate(db, now: 1)
        try db.execute("""
            INSERT INTO venues (id, kind, account, base_url, first_seen_at, updated_at) VALUES
                ('g', 'gate-futures', 'main', 'x', 1, 1), ('b', 'binance-coinm', 'main', 'x', 1, 1);
            INSERT INTO orders (venue_id, account, symbol, venue_order_id, client_order_id, status, created_at, updated_at) VALUES
                ('g', 'main', 'BTC_USDT', '1', 'web', 'acknowledged', 1, 1),
                ('g', 'main', 'BTC_USDT', '2', 't-mine', 'acknowledged', 1, 1),
                ('g', 'main', 'BTC_USDT', NULL, 'api', 'new', 1, 1),
                ('b', 'main', 'BTCUSD_PERP', '3', 'web', 'acknowledged', 1, 1);
            """)
        _ = try Migrator(migrations: all).migrate(db, now: 2)
        let rows = try db.prepare("SELECT coalesce(venue_order_id, '-'), coalesce(client_order_id, '-'), coalesce(origin, '-') FROM orders ORDER BY id")
        var seen: [String] = []
        while try rows.step() { seen.append("\(rows.text(0)!) \(rows.text(1)!) \(rows.text(2)!)") }
        #expect(seen == ["1 - web", "2 t-mine -", "- api -", "3 web -"])
    }
}
