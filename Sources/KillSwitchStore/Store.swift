import Foundation
import KillSwitchCore
import Logging

/// The durable store: one SQLite file in WAL mode, foreign keys on, a busy timeout. One writer connection,
/// owned by this actor; readers that must work while the daemon is down use `StoreReader`.
public actor Store {
    /// Runs on its own thread, not the cooperative pool (see `StoreThread`).
    public nonisolated var unownedExecutor: UnownedSerialExecutor { StoreThread.executor }

    let db: SQLiteConnection
    public nonisolated let options: StoreOptions
    let clock: WallClock
    var venues: [String: VenueDescriptor] = [:]
    /// Orders per status, for the metrics (kept current by the write paths through `statusChanged`).
    public nonisolated let orderStatusCounts: OrderStatusCounts
    /// Status changes of the transaction in progress, applied to `orderStatusCounts` once it commits.
    var pendingStatusChanges: [OrderStatus: Int] = [:]
    /// Injected write failures (tests only).
    public nonisolated let faults = StoreFaults()
    /// Whether the last write succeeded (the metrics' `killswitch_storage_ok`).
    public nonisolated let health: StorageHealth
    /// Nesting of `write` calls (only the outermost opens the transaction).
    var writeDepth = 0
    /// Set while writes go to the journal (the first fallback of an outage is logged at critical).
    var writingToJournal = false
    /// The fallback while the database cannot write (nil when it could not be opened).
    var journal: StoreJournal?
    /// Provisional ids handed out while writing to the journal (negative), and what merged ones became.
    var nextProvisionalIncident: Int64 = -1
    var nextProvisionalIntent: Int64 = -1
    var journalSequence = 0
    let journalPrefix = String(WallClock.system.now(), radix: 36)
    var incidentAliases: [Int64: Int64] = [:]
    var intentAliases: [Int64: Int64] = [:]
    /// Told when a provisional incident is written to the database under its real id.
    var incidentStoredHandler: (@Sendable (Int64, IncidentRecord) -> Void)?
    let logger: Logger

    /// Opens (creating if needed) the database, applies pending migrations, and records the configured venues.
    public init(options: StoreOptions, venues: [VenueDescriptor], migrations: [Migration]? = nil, clock: WallClock = .system,
                logger: Logger = Logger(label: "killswitch.store")) throws {
        self.logger = logger
        let db = try SQLiteConnection(path: options.path)
        try Store.configure(db, options: options)
        let migrator = try Migrator(migrations: migrations ?? Migration.embedded())
        try migrator.migrate(db, now: clock.now())
        self.db = db
        self.options = options
        self.clock = clock
        self.health = StorageHealth(clock: clock)
        try Store.syncVenues(db, venues, now: clock.now())
        self.orderStatusCounts = OrderStatusCounts(try OrderStatusCounts.count(db))
        self.venues = Dictionary(venues.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        if let path = options.journalPath {
            do {
                let journal = try StoreJournal(path: path, size: options.journalSize)
                self.journal = journal
                health.journalOpened(path: path, size: options.journalSize, records: journal.count, bytes: journal.used)
            } catch {
                // Without its journal the daemon still cancels when the database cannot write; it logs each
                // such cancel at critical instead.
                logger.critical("the journal cannot be opened: if the database stops writing, cancels will be sent unrecorded", metadata: ["error": "\(error)"])
                health.journalUnavailable("\(error)")
            }
        }
    }

    static func configure(_ db: SQLiteConnection, options: StoreOptions) throws {
        try db.execute("PRAGMA busy_timeout = \(options.busyTimeoutMilliseconds)")
        let mode = try db.scalarText("PRAGMA journal_mode = WAL")
        guard mode?.lowercased() == "wal" else {
            throw SQLiteError(code: 1, message: "could not switch \(options.path) to WAL mode (got \(mode ?? "nothing"))", sql: nil)
        }
        try db.execute("PRAGMA synchronous = \(options.synchronous.rawValue)")
        try db.execute("PRAGMA foreign_keys = ON")
        // Keep the -wal and -shm files after the daemon closes (persistent WAL): an auditor's read-only open then
        // finds both and needs to create nothing, even in a folder it cannot write (see StoreReader).
        try db.persistWriteAheadLog()
        // A checkpointed WAL is truncated back to this size rather than kept at its largest.
        try db.execute("PRAGMA journal_size_limit = 67108864")
    }

    static func syncVenues(_ db: SQLiteConnection, _ venues: [VenueDescriptor], now: Int64) throws {
        try db.transaction {
            let upsert = try db.prepare("""
                INSERT INTO venues (id, kind, account, base_url, settle, product_type, margin_coin, account_id, gate_account, first_seen_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, account = excluded.account, base_url = excluded.base_url,
                    settle = excluded.settle, product_type = excluded.product_type, margin_coin = excluded.margin_coin,
                    account_id = excluded.account_id, gate_account = excluded.gate_account, updated_at = excluded.updated_at
                """)
            let account = try db.prepare("INSERT OR IGNORE INTO accounts (venue_id, account) VALUES (?, ?)")
            let contract = try db.prepare("""
                INSERT INTO contracts (venue_id, symbol, multiplier, inverse) VALUES (?, ?, ?, ?)
                ON CONFLICT (venue_id, symbol) DO UPDATE SET multiplier = excluded.multiplier, inverse = excluded.inverse
                """)
            for venue in venues {
                upsert.reset()
                try upsert.bind([
                    .text(venue.id), .text(venue.kind.rawValue), .text(venue.account), .text(venue.baseURL),
                    SQLiteValue(venue.market.settle), SQLiteValue(venue.market.productType), SQLiteValue(venue.market.marginCoin),
                    SQLiteValue(venue.market.accountId), SQLiteValue(venue.market.gateAccount), .integer(now), .integer(now),
                ]).run()
                account.reset()
                try account.bind([.text(venue.id), .text(venue.account)]).run()
                for (symbol, spec) in venue.contracts {
                    contract.reset()
                    try contract.bind([.text(venue.id), .text(symbol), .text(spec.multiplier.text), .integer(spec.inverse ? 1 : 0)]).run()
                }
            }
        }
    }

    /// Runs `body` on the writer connection inside one transaction; a write inside a write joins the outer
    /// transaction (merging a journal record is one transaction over several writes).
    func write<T>(_ function: String = #function, _ body: (SQLiteConnection) throws -> T) throws -> T {
        try health.recording {
            try faults.check(function)
            if writeDepth > 0 { return try body(db) }
            writeDepth += 1
            defer { writeDepth -= 1 }
            pendingStatusChanges.removeAll(keepingCapacity: true)
            let result = try db.transaction { try body(db) }
            orderStatusCounts.apply(pendingStatusChanges)
            return result
        }
    }

    /// Notes an order leaving one status (nil: it is new) for another (nil: it was merged away).
    func statusChanged(from old: OrderStatus?, to new: OrderStatus?) {
        guard old != new else { return }
        if let old { pendingStatusChanges[old, default: 0] -= 1 }
        if let new { pendingStatusChanges[new, default: 0] += 1 }
    }

    /// The venue descriptors the store was opened with.
    public func venueDescriptors() -> [VenueDescriptor] { venues.values.sorted { $0.id < $1.id } }

    public nonisolated var path: String { options.path }
}
