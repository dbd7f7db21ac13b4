import Foundation
import KillSwitchConfig
import KillSwitchCore
import Logging
import Venues

/// One countdown cancel-all (a `CountdownGroup`): armed at start, refreshed every `refresh`, and on a clean
/// stop disarmed or left armed (`on_stop`).
///
/// Each refresh first proves the daemon can act — a round trip through the trip engine's and the rule
/// engine's actors, within `refresh` — so a wedged engine stops the refreshes and the venue takes over. Its
/// requests are admitted at `.refresh` priority from their reserved slice of the venue's limits and leave on
/// the countdown's own connections: an incident's load (a 100,000-order trip) never delays them. The store is
/// not on the path: a full disk must not make every venue cancel (audit records are written behind it).
///
/// Per-symbol venues (Binance) arm the configured symbols, and every symbol with a tracked open order on first
/// sight; a symbol not configured is disarmed once nothing has been open on it for `releaseAfter`.
actor CountdownRunner<C: Clock> where C.Duration == Duration {
    /// What the runner acts through (the daemon's, or fakes in tests).
    struct Environment: Sendable {
        /// One countdown request (`symbol` nil: everything the key reaches; timeout 0 disarms).
        var send: @Sendable (_ symbol: String?, _ timeoutSeconds: Int) async -> CancelAllResult
        /// The liveness round trip, bounded.
        var probe: BoundedProbe
        /// Tracked open orders per symbol over the group's entries (a store read, off the refresh path).
        var openCounts: @Sendable () async throws -> [String: Int]
        /// Each refresh's result for the `dms-lost` rules (delivered in order, never blocking).
        var reportToRules: @Sendable (_ succeeded: Bool, _ detail: String?) -> Void
        /// Whether refreshing this many targets fits the budget; if so (or `force`), reserves their slice.
        var reserve: @Sendable (_ targets: Int, _ force: Bool) -> Bool
        var audit: CountdownAuditLog
        var board: CountdownBoard
        var events: DaemonEventBus
        var wallNow: @Sendable () -> Int64
        var logger: Logger
    }

    /// One countdown on the venue: the whole reach (`symbol` nil) or one symbol.
    struct Target: Sendable {
        var configured: Bool
        /// When the venue will fire it unless refreshed (wall ms); nil until armed.
        var armedUntil: Int64?
        /// An arm or refresh went out: the venue may hold it armed even when no answer said so (a timeout, a
        /// stop while it was on the wire), so a clean stop disarms it all the same.
        var sent = false
        /// Wall ms when an open order was last seen on the symbol.
        var lastOpenAt: Int64?
    }

    nonisolated let group: CountdownGroup
    let environment: Environment
    let clock: C
    /// How long a symbol armed on sight stays armed with nothing open on it.
    let releaseAfter: Duration
    private var targets: [String: Target] = [:]
    /// Symbols left out: the budget had no room for them.
    private var overBudget: Set<String> = []
    /// HTX: tracked open orders over the account (its countdown cancels at most 500).
    private var openTotal = 0
    private var consecutiveFailures = 0
    private var lastFailure: String?
    private var lastRefreshAt: Int64?
    private var stopped = false

    /// The key of the whole-reach target (Gate, HTX).
    static var wholeReach: String { "" }

    /// HTX's `cancel-all-after` cancels at most this many orders when it fires.
    static var htxMaxOrders: Int { 500 }

    init(group: CountdownGroup, environment: Environment, clock: C, releaseAfter: Duration = .seconds(300)) {
        self.group = group
        self.environment = environment
        self.clock = clock
        self.releaseAfter = releaseAfter
        if group.kind.countdownPerSymbol {
            for symbol in group.settings.symbols { targets[symbol] = Target(configured: true) }
        } else {
            targets[Self.wholeReach] = Target(configured: true)
        }
    }

    var settings: CountdownSettings { group.settings }

    // MARK: The loop

    /// Arms now, then refreshes every `refresh` until cancelled (the caller then runs `stop`).
    func run() async {
        // The configured targets are reserved whatever the live budget says (`config check` held them to the
        // published one): a smaller live REQUEST_WEIGHT is said loudly, never answered by arming less.
        if !environment.reserve(targets.count, false) {
            _ = environment.reserve(targets.count, true)
            environment.logger.error("countdown refreshes of the configured symbols exceed the live budget; refreshed and reserved anyway",
                                     metadata: ["venues": "\(group.venueIds)", "symbols": "\(targets.count)"])
        }
        var next = clock.now
        while !Task.isCancelled {
            await tick()
            next = next.advanced(by: settings.refresh)
            // A tick that overran (a probe that did not answer) is followed at once by the next one.
            if next < clock.now { next = clock.now }
            // Exact (tolerance zero): a refresh woken late by timer coalescing eats into the venue's countdown.
            do { try await clock.sleep(until: next, tolerance: .zero) } catch { return }
        }
    }

    /// Reads the store's open orders every `refresh` (never on the refresh path).
    func pollOpenOrders() async {
        while !Task.isCancelled {
            if let counts = try? await environment.openCounts() { await applyOpenCounts(counts) }
            do { try await clock.sleep(for: settings.refresh, tolerance: .zero) } catch { return }
        }
    }

    /// One refresh of every target: the liveness round trip first, then every countdown at once.
    func tick() async {
        guard !stopped else { return }
        let wanted = targets.keys.sorted()
        guard !wanted.isEmpty else {
            tickEnded(failure: nil)
            return
        }
        guard await environment.probe.answers(within: settings.refresh) else {
            let detail = "the engine did not answer within \(DurationText.format(settings.refresh)): not refreshing (a daemon that cannot act must not keep the venue's countdown alive)"
            for symbol in wanted { auditFailure(symbol, detail: detail) }
            tickEnded(failure: detail)
            return
        }
        let failures = await refresh(wanted)
        tickEnded(failure: failures.isEmpty ? nil : failures.joined(separator: "; "))
    }

    /// Sends the countdown for `symbols` concurrently; returns the failures' descriptions.
    private func refresh(_ symbols: [String]) async -> [String] {
        let timeout = settings.timeoutSeconds
        let send = environment.send
        let wallNow = environment.wallNow
        for symbol in symbols { targets[symbol]?.sent = true }
        let results = await withTaskGroup(of: (String, CancelAllResult, Int64).self) { group in
            for symbol in symbols {
                group.addTask {
                    let sentAt = wallNow()
                    return (symbol, await send(symbol.isEmpty ? nil : symbol, timeout), sentAt)
                }
            }
            var results: [(String, CancelAllResult, Int64)] = []
            for await result in group { results.append(result) }
            return results
        }
        var failures: [String] = []
        for (symbol, result, sentAt) in results.sorted(by: { $0.0 < $1.0 }) {
            if let failure = record(symbol, result, sentAt: sentAt) {
                failures.append(symbol.isEmpty ? failure : "\(symbol): \(failure)")
            }
        }
        return failures
    }

    /// Records one answer: the target's trigger time and an audit event. Returns the failure, if it failed.
    private func record(_ symbol: String, _ result: CancelAllResult, sentAt: Int64) -> String? {
        guard result.kind == .cancelled else {
            let failure = Self.describe(result)
            auditFailure(symbol, detail: failure)
            return failure
        }
        // The venue's own trigger time where it answers one (Gate, HTX); Binance echoes only the countdown.
        let venueTrigger = CountdownAnswer.triggerTime(kind: group.kind, body: result.rawBody)
        let until = venueTrigger ?? sentAt + Int64(settings.timeoutSeconds) * 1_000
        // A symbol released while this refresh was on the wire stays released in our books.
        guard let target = targets[symbol] else { return nil }
        let first = target.armedUntil == nil
        targets[symbol]?.armedUntil = until
        var detail = auditDetail(symbol)
        detail["timeout"] = "\(settings.timeoutSeconds)s"
        detail["triggerTime"] = Timestamp.format(until)
        detail["triggerTimeMs"] = String(until)
        detail["triggerTimeFrom"] = venueTrigger == nil ? "sent+timeout (\(group.kind.rawValue) answers no trigger time)" : "venue"
        detail["latencyMs"] = String(result.latencyNanoseconds / 1_000_000)
        environment.audit.record(first ? "dms-arm" : "dms-refresh", detail)
        if first {
            environment.logger.info("countdown armed", metadata: ["venues": "\(group.venueIds)", "symbol": "\(symbol)", "until": "\(Timestamp.format(until))"])
        }
        return nil
    }

    private func auditFailure(_ symbol: String, detail failure: String) {
        var detail = auditDetail(symbol)
        detail["error"] = failure
        if let until = targets[symbol]?.armedUntil { detail["armedUntil"] = Timestamp.format(until) }
        environment.audit.record("dms-refresh-failed", detail)
    }

    private func auditDetail(_ symbol: String) -> [String: String] {
        var detail = ["venues": group.venueIds.joined(separator: ","), "kind": group.kind.rawValue]
        if !symbol.isEmpty { detail["symbol"] = symbol }
        return detail
    }

    /// After a whole tick: count failures, alert on the first of a run, feed the `dms-lost` rules.
    private func tickEnded(failure: String?) {
        if let failure {
            consecutiveFailures += 1
            lastFailure = failure
            let until = earliestTrigger
            environment.logger.critical("COUNTDOWN REFRESH FAILED: the venue cancels everything the countdown reaches when it fires unless a refresh gets through", metadata: [
                "venues": "\(group.venueIds)", "error": "\(failure)", "consecutive": "\(consecutiveFailures)",
                "fires": "\(until.map(Timestamp.format) ?? "not armed")",
            ])
            if consecutiveFailures == 1 {
                environment.events.publish(.countdownFailed(venueIds: group.venueIds, detail: failure, armedUntil: until))
            }
        } else {
            if consecutiveFailures > 0 {
                environment.logger.notice("countdown refreshed again", metadata: ["venues": "\(group.venueIds)", "after": "\(consecutiveFailures) failed"])
            }
            consecutiveFailures = 0
            lastFailure = nil
            lastRefreshAt = environment.wallNow()
        }
        environment.reportToRules(failure == nil, failure)
        publishStatus()
    }

    /// The earliest trigger time of the armed targets (when the venue first cancels something).
    private var earliestTrigger: Int64? { targets.values.compactMap(\.armedUntil).min() }

    private func publishStatus() {
        let symbols = group.kind.countdownPerSymbol ? targets.keys.sorted() : nil
        var status = CountdownStatus(protection: "armed", armedUntil: earliestTrigger, detail: "countdown reaching \(group.kind.countdownReach)",
                                     consecutiveFailures: consecutiveFailures, symbols: symbols, lastRefreshAt: lastRefreshAt)
        var partial: [String] = []
        if group.kind == .htxSpot, openTotal > Self.htxMaxOrders {
            partial.append("\(openTotal) open orders tracked: HTX's countdown cancels at most \(Self.htxMaxOrders) when it fires")
        }
        if !overBudget.isEmpty {
            partial.append("symbols over the countdown budget, not armed: \(overBudget.sorted().joined(separator: ", "))")
        }
        if consecutiveFailures > 0 {
            status.protection = "failing"
            status.detail = lastFailure
        } else if !partial.isEmpty {
            status.protection = "partial"
            status.detail = partial.joined(separator: "; ")
        } else if targets.isEmpty {
            status.detail = "no symbol to arm yet: each is armed when an open order is first seen on it"
        } else if earliestTrigger == nil {
            status.protection = "arming"
        }
        environment.board.set(group.venueIds, status)
    }

    // MARK: Symbols (per-symbol venues) and open orders

    /// An open order seen on `symbol` (ingest): a symbol not armed yet is armed at once.
    func saw(_ symbol: String) {
        let symbol = group.kind.canonicalSymbol(symbol)
        let now = environment.wallNow()
        if targets[symbol] != nil {
            targets[symbol]?.lastOpenAt = now
            return
        }
        guard add(symbol, seenAt: now) else { return }
        Task { await self.armOnSight(symbol) }
    }

    /// The store's open orders: arms symbols newly open, releases those long empty, sizes HTX's protection.
    func applyOpenCounts(_ counts: [String: Int]) async {
        openTotal = counts.values.reduce(0, +)
        guard group.kind.countdownPerSymbol else {
            publishStatus()
            return
        }
        let now = environment.wallNow()
        var newlySeen: [String] = []
        for (symbol, count) in counts where count > 0 {
            let symbol = group.kind.canonicalSymbol(symbol)
            if targets[symbol] != nil {
                targets[symbol]?.lastOpenAt = now
            } else if add(symbol, seenAt: now) {
                newlySeen.append(symbol)
            }
        }
        for symbol in overBudget where (counts[symbol] ?? 0) == 0 { overBudget.remove(symbol) }
        let idle = targets.filter { symbol, target in
            !target.configured && (counts[symbol] ?? 0) == 0 && now - (target.lastOpenAt ?? now) >= releaseAfter.nanoseconds / 1_000_000
        }.keys.sorted()
        for symbol in newlySeen { await armOnSight(symbol) }
        if !idle.isEmpty { await release(idle) }
        publishStatus()
    }

    /// Adds a symbol if the budget has room (false: left out, protection partial).
    private func add(_ symbol: String, seenAt: Int64) -> Bool {
        guard !stopped else { return false }
        guard environment.reserve(targets.count + 1, false) else {
            if overBudget.insert(symbol).inserted {
                environment.logger.error("countdown budget full: symbol not armed (protection is partial)", metadata: ["venues": "\(group.venueIds)", "symbol": "\(symbol)"])
                publishStatus()
            }
            return false
        }
        targets[symbol] = Target(configured: false, lastOpenAt: seenAt)
        return true
    }

    /// Arms one newly seen symbol now rather than at the next tick (the daemon may die before it).
    private func armOnSight(_ symbol: String) async {
        guard !stopped, targets[symbol]?.armedUntil == nil else { return }
        guard await environment.probe.answers(within: settings.refresh) else { return }
        _ = await refresh([symbol])
        publishStatus()
    }

    /// Disarms symbols that had nothing open for `releaseAfter` (the configured ones stay).
    private func release(_ symbols: [String]) async {
        for symbol in symbols { targets[symbol] = nil }
        _ = environment.reserve(targets.count, true)
        for symbol in symbols {
            let result = await environment.send(symbol, 0)
            var detail = auditDetail(symbol)
            detail["reason"] = "nothing open on the symbol for \(DurationText.format(releaseAfter))"
            if result.kind == .cancelled {
                environment.audit.record("dms-disarm", detail)
            } else {
                // Left armed on the venue: it fires on an empty symbol, which cancels nothing we track.
                detail["error"] = Self.describe(result)
                environment.audit.record("dms-refresh-failed", detail)
            }
        }
    }

    // MARK: Stopping

    /// A clean stop: `disarm` sends timeout 0 for every target (a deploy restart must not flatten the desk);
    /// `leave` leaves them armed (the venue cancels while the daemon is down).
    func stop() async {
        stopped = true
        // What may be armed: an arm unanswered or cut short by the stop may have reached the venue (`sent` is set
        // before every arm, so it covers the answered ones too).
        let mayBeArmed = targets.filter { $0.value.sent }.keys.sorted()
        switch settings.onStop {
        case .leave:
            // An arm that got no answer may have reached the venue too: it is reported as left armed, its trigger unknown.
            for symbol in mayBeArmed {
                var detail = auditDetail(symbol)
                detail["armedUntil"] = targets[symbol]?.armedUntil.map(Timestamp.format) ?? "unknown (the arm got no answer)"
                environment.audit.record("dms-left-armed", detail)
            }
            environment.logger.warning("countdown left armed at stop (on_stop = leave): the venue cancels what it reaches when it fires",
                                       metadata: ["venues": "\(group.venueIds)", "fires": "\(earliestTrigger.map(Timestamp.format) ?? "-")"])
            environment.board.set(group.venueIds, CountdownStatus(protection: "left-armed", armedUntil: earliestTrigger, detail: "left armed at a clean stop"))
        case .disarm:
            var failures: [String] = []
            for symbol in mayBeArmed {
                let result = await environment.send(symbol.isEmpty ? nil : symbol, 0)
                var detail = auditDetail(symbol)
                detail["reason"] = "clean stop (on_stop = disarm)"
                if result.kind == .cancelled {
                    detail["triggerTime"] = "0"
                    environment.audit.record("dms-disarm", detail)
                } else {
                    let failure = Self.describe(result)
                    detail["error"] = failure
                    environment.audit.record("dms-refresh-failed", detail)
                    failures.append(failure)
                    environment.logger.critical("COUNTDOWN NOT DISARMED at stop: the venue cancels everything it reaches when it fires", metadata: [
                        "venues": "\(group.venueIds)", "symbol": "\(symbol)", "error": "\(failure)",
                        "fires": "\(targets[symbol]?.armedUntil.map(Timestamp.format) ?? "-")",
                    ])
                }
            }
            environment.board.set(group.venueIds, failures.isEmpty
                ? CountdownStatus(protection: "disarmed", detail: "disarmed at a clean stop")
                : CountdownStatus(protection: "failing", armedUntil: earliestTrigger, detail: "not disarmed at stop: \(failures.joined(separator: "; "))"))
        }
        _ = environment.reserve(0, true)
    }

    /// A failed answer as one line for logs, audit and alerts (never a secret: codes and transport errors).
    static func describe(_ result: CancelAllResult) -> String {
        var parts = [result.kind.rawValue]
        if let status = result.httpStatus { parts.append("HTTP \(status)") }
        if let code = result.venueCode { parts.append(code) }
        if let error = result.transportError { parts.append(error) }
        return parts.joined(separator: ": ")
    }

    // MARK: For tests

    var armedSymbols: [String] { targets.filter { $0.value.armedUntil != nil }.keys.sorted() }
    var trackedSymbols: [String] { targets.keys.sorted() }
    var consecutiveFailureCount: Int { consecutiveFailures }
}
