import Foundation
import KillSwitchCore
import KillSwitchStore
import Logging

/// Evaluates the configured rules on the events that change them — heartbeats, PnL marks, order events,
/// timers — never by polling, and trips a rule's scope when it fires. A fired rule stays quiet while its
/// incident is latched; re-arming it restarts its heartbeat grace (a stale feed is judged from the re-arm).
///
/// Two clocks: `clock` (monotonic) sets every deadline — heartbeats, stale feeds, sliding windows; `wallClock`
/// says which trading day it is and how old a PnL mark's own time is.
public actor RuleEngine<C: Clock> where C.Duration == Duration {
    public typealias Trip = @Sendable (_ scope: Scope, _ reason: String, _ ruleId: String) async -> Int64?

    /// A fired rule's latch: per rule *and* the scope it tripped, so a rule evaluated per account (order
    /// rate) that tripped account A still watches account B.
    public struct Latch: Sendable, Hashable {
        public var ruleId: String
        public var scope: Scope

        public init(ruleId: String, scope: Scope) {
            self.ruleId = ruleId
            self.scope = scope
        }
    }

    let clock: C
    let wallClock: WallClock
    private(set) var rules: [RuleDefinition]
    private(set) var tradingDay: TradingDay
    let logger: Logger
    let trip: Trip
    private var heartbeats: [String: HeartbeatMonitor<C.Instant>] = [:]
    private var staleFeeds: [String: StaleFeedMonitor<C.Instant>] = [:]
    /// One timer per heartbeat and stale-feed rule, set for its deadline.
    private var timers: [String: Task<Void, Never>] = [:]
    private var orderRates: [String: OrderRateMonitor<C.Instant>] = [:]
    private var rejectStorms: [String: RejectStormMonitor<C.Instant>] = [:]
    private var lossLimits: [String: LossLimitEvaluator] = [:]
    private var drawdowns: [String: DrawdownEvaluator] = [:]
    private var exposures: [String: ExposureEvaluator] = [:]
    private var lastExposure: [String: RuleEvaluation] = [:]
    private var countdownLosses: [String: CountdownLossMonitor] = [:]
    /// Rule latches (incident id), so a rule does not fire again for a scope until it is re-armed.
    private var firedRules: [Latch: Int64] = [:]
    private var started = false

    public init(rules: [RuleDefinition], tradingDay: TradingDay, clock: C, wallClock: WallClock = .system, logger: Logger, trip: @escaping Trip) {
        self.clock = clock
        self.wallClock = wallClock
        self.rules = rules
        self.tradingDay = tradingDay
        self.logger = logger
        self.trip = trip
        let now = clock.now
        for rule in rules {
            switch rule.kind {
            case .heartbeat: heartbeats[rule.id] = HeartbeatMonitor(rule: rule, armedAt: now)
            case .orderRate: orderRates[rule.id] = OrderRateMonitor(rule: rule)
            case .rejectStorm: rejectStorms[rule.id] = RejectStormMonitor(rule: rule)
            case .lossLimit: lossLimits[rule.id] = LossLimitEvaluator(rule: rule, tradingDay: tradingDay)
            case .drawdown: drawdowns[rule.id] = DrawdownEvaluator(rule: rule, tradingDay: tradingDay)
            case .exposure: exposures[rule.id] = ExposureEvaluator(rule: rule)
            case .staleFeed: staleFeeds[rule.id] = StaleFeedMonitor(rule: rule, armedAt: now)
            case .dmsLost: countdownLosses[rule.id] = CountdownLossMonitor(rule: rule)
            }
        }
    }

    /// Starts a timer per heartbeat and stale-feed rule, set for its deadline. `latched`: the latches of
    /// incidents still tripped. `heartbeatAges`: after a crash, how long ago each source last heartbeated (as
    /// the previous process stored it) — that heartbeat counts and no grace is given, so a daemon crash-looping
    /// faster than grace + timeout still fires; after a clean stop pass nil and every source gets its grace (a
    /// `heartbeat:` feed then counts from the start).
    ///
    /// `pnlMarks`: the trading day's stored marks, in the order they were received — replayed into the
    /// loss-limit and drawdown rules, so a restart keeps the day's latest marks and peak. `pnlFeedAges`: per
    /// venue, how old its newest stored mark is (any day), for the `pnl:` feeds. The PnL rules are then
    /// evaluated once: a limit the replayed day already breaches trips now (unless its incident is latched)
    /// rather than at the next mark.
    public func start(latched: [Latch: Int64] = [:], heartbeatAges: [String: Duration]? = nil,
                      pnlMarks: [PnLMark] = [], pnlFeedAges: [String: Duration] = [:]) async {
        started = true
        firedRules.merge(latched) { a, _ in a }
        let now = clock.now
        if let heartbeatAges {
            for (id, monitor) in heartbeats {
                guard let age = heartbeatAges[monitor.source] else { continue }
                heartbeats[id]?.restore(lastHeartbeat: now.advanced(by: .zero - max(.zero, age)))
            }
        }
        for (id, monitor) in staleFeeds {
            let age: Duration? = switch monitor.feed.kind {
            case .pnl: pnlFeedAges[monitor.feed.name]
            case .heartbeat: heartbeatAges?[monitor.feed.name]
            }
            if let age { staleFeeds[id]?.record(currentAt: now.advanced(by: .zero - max(.zero, age))) }
        }
        replay(pnlMarks)
        let wallNow = wallDate()
        for rule in rules {
            let evaluation: RuleEvaluation? = switch rule.kind {
            case .lossLimit: lossLimits[rule.id]?.evaluate(at: wallNow)
            case .drawdown: drawdowns[rule.id]?.evaluate(at: wallNow)
            default: nil
            }
            if let evaluation, evaluation.fired { await fire(rule, evaluation) }
        }
        for id in (Array(heartbeats.keys) + Array(staleFeeds.keys)).sorted() { armTimer(id) }
    }

    /// Stored marks back into the loss-limit and drawdown rules, without evaluating each (a mark in a currency a
    /// rule does not sum was refused when it arrived; it is skipped here too).
    private func replay(_ marks: [PnLMark]) {
        var skipped = 0
        for mark in marks {
            for id in lossLimits.keys {
                do { try lossLimits[id]?.record(mark) } catch { skipped += 1 }
            }
            for id in drawdowns.keys {
                do { try drawdowns[id]?.record(mark) } catch { skipped += 1 }
            }
        }
        if !marks.isEmpty {
            logger.info("PnL marks of the trading day replayed", metadata: ["marks": "\(marks.count)", "skipped": "\(skipped)"])
        }
    }

    /// The wall clock's now, as a date (the trading day and mark ages are wall-clock matters).
    private func wallDate() -> Date { Date(timeIntervalSince1970: Double(wallClock.now()) / 1000) }

    private func isFired(_ ruleId: String) -> Bool { firedRules.keys.contains { $0.ruleId == ruleId } }

    /// What a reload did, by rule id.
    public struct Reload: Sendable, Hashable {
        public var added: [String] = []
        public var changed: [String] = []
        public var removed: [String] = []
        public var kept: [String] = []
    }

    /// Replaces the rule set (SIGHUP). A rule whose definition is unchanged keeps all its state — heartbeat
    /// deadline and timer, sliding windows, PnL marks, its latch. A new or changed rule starts fresh, armed
    /// now (a heartbeat rule gets its grace from now); a changed rule whose incident is still latched stays
    /// latched until re-armed. A removed rule stops. Loss-limit and drawdown rules count as changed when
    /// the trading day changes.
    @discardableResult
    public func reload(rules newRules: [RuleDefinition], tradingDay newDay: TradingDay) -> Reload {
        var result = Reload()
        let previous = Dictionary(rules.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let dayChanged = newDay != tradingDay
        let now = clock.now
        for rule in newRules {
            let usesDay: Bool
            switch rule.kind {
            case .lossLimit, .drawdown: usesDay = true
            default: usesDay = false
            }
            if let old = previous[rule.id], old == rule, !(usesDay && dayChanged) {
                result.kept.append(rule.id)
                continue
            }
            if previous[rule.id] == nil { result.added.append(rule.id) } else { result.changed.append(rule.id) }
            forget(rule.id)
            switch rule.kind {
            case .heartbeat: heartbeats[rule.id] = HeartbeatMonitor(rule: rule, armedAt: now)
            case .orderRate: orderRates[rule.id] = OrderRateMonitor(rule: rule)
            case .rejectStorm: rejectStorms[rule.id] = RejectStormMonitor(rule: rule)
            case .lossLimit: lossLimits[rule.id] = LossLimitEvaluator(rule: rule, tradingDay: newDay)
            case .drawdown: drawdowns[rule.id] = DrawdownEvaluator(rule: rule, tradingDay: newDay)
            case .exposure: exposures[rule.id] = ExposureEvaluator(rule: rule)
            case .staleFeed: staleFeeds[rule.id] = StaleFeedMonitor(rule: rule, armedAt: now)
            case .dmsLost: countdownLosses[rule.id] = CountdownLossMonitor(rule: rule)
            }
        }
        let newIds = Set(newRules.map(\.id))
        for id in previous.keys.sorted() where !newIds.contains(id) {
            result.removed.append(id)
            forget(id)
            firedRules = firedRules.filter { $0.key.ruleId != id }
        }
        rules = newRules
        tradingDay = newDay
        if started {
            for id in result.added + result.changed where heartbeats[id] != nil || staleFeeds[id] != nil { armTimer(id) }
        }
        return result
    }

    /// Drops a rule's evaluator state and timer (its latch is kept: the incident decides that).
    private func forget(_ id: String) {
        timers.removeValue(forKey: id)?.cancel()
        heartbeats.removeValue(forKey: id)
        staleFeeds.removeValue(forKey: id)
        orderRates.removeValue(forKey: id)
        rejectStorms.removeValue(forKey: id)
        lossLimits.removeValue(forKey: id)
        drawdowns.removeValue(forKey: id)
        exposures.removeValue(forKey: id)
        lastExposure.removeValue(forKey: id)
        countdownLosses.removeValue(forKey: id)
    }

    public func stop() {
        for timer in timers.values { timer.cancel() }
        timers.removeAll()
    }

    // MARK: Events

    /// A heartbeat from `source`, stamped with the daemon's own clock (a client's timestamp is never used).
    /// Returns false when no rule watches the source (neither a heartbeat rule nor a `heartbeat:` feed).
    @discardableResult
    public func heartbeat(source: String) -> Bool {
        let now = clock.now
        var known = feedData(.heartbeat(source: source), currentAt: now)
        for (id, monitor) in heartbeats where monitor.source == source {
            known = true
            heartbeats[id]?.recordHeartbeat(at: now)
            // The first heartbeat ends the grace and can bring the deadline forward (heartbeat + timeout
            // is usually before start + grace + timeout): the timer is re-set for it, or the trip would
            // wait for the grace timer. Later heartbeats only move the deadline later; the timer catches up.
            if monitor.inGrace, started, !isFired(id), heartbeats[id]?.inGrace == false { armTimer(id) }
        }
        return known
    }

    /// New orders and venue rejects seen in an ingested batch.
    public func ordersIngested(newOrders: [(venue: String, account: String, symbol: String)], rejects: Int) async {
        let now = clock.now
        for id in orderRates.keys.sorted() {
            guard let rule = rules.first(where: { $0.id == id }) else { continue }
            for order in newOrders where rule.scope.contains(venue: order.venue, account: order.account, symbol: order.symbol) {
                guard let evaluation = orderRates[id]?.recordNewOrder(venue: order.venue, account: order.account, symbol: order.symbol, at: now) else { continue }
                if evaluation.fired { await fire(rule, evaluation) }
            }
        }
        if rejects > 0 {
            for id in rejectStorms.keys.sorted() {
                guard let rule = rules.first(where: { $0.id == id }) else { continue }
                var evaluation: RuleEvaluation?
                for _ in 0..<rejects { evaluation = rejectStorms[id]?.recordReject(at: now) }
                if let evaluation, evaluation.fired { await fire(rule, evaluation) }
            }
        }
    }

    /// The open exposure in each exposure rule's scope changed.
    /// `touching`: where orders changed (nil: anywhere); rules whose scope contains none of it are not measured.
    public func exposureChanged(touching: [(venue: String, account: String, symbol: String)]? = nil,
                                _ measure: @Sendable (Scope) async -> (orders: Int, notional: DecimalAmount)) async {
        for id in exposures.keys.sorted() {
            guard let rule = rules.first(where: { $0.id == id }), let evaluator = exposures[id] else { continue }
            if let touching, !touching.contains(where: { rule.scope.contains(venue: $0.venue, account: $0.account, symbol: $0.symbol) }) { continue }
            let (count, notional) = await measure(rule.scope)
            let evaluation = evaluator.evaluate(openOrders: count, openNotional: notional)
            lastExposure[id] = evaluation
            if evaluation.fired { await fire(rule, evaluation) }
        }
    }

    /// A PnL mark; throws when its currency differs from the rule's. `now` is the wall clock's (default
    /// `wallClock`): the trading day, and how old the mark is for its venue's `pnl:` feed.
    public func pnl(_ mark: PnLMark, now: Date? = nil) async throws {
        let now = now ?? wallDate()
        for id in lossLimits.keys.sorted() {
            guard let rule = rules.first(where: { $0.id == id }) else { continue }
            if try lossLimits[id]?.record(mark) == true, let evaluation = lossLimits[id]?.evaluate(at: now), evaluation.fired {
                await fire(rule, evaluation)
            }
        }
        for id in drawdowns.keys.sorted() {
            guard let rule = rules.first(where: { $0.id == id }) else { continue }
            if try drawdowns[id]?.record(mark) == true, let evaluation = drawdowns[id]?.evaluate(at: now), evaluation.fired {
                await fire(rule, evaluation)
            }
        }
        // The feed is as fresh as the mark's own time (never fresher than now: a mark a little ahead counts as now).
        let age = max(.zero, Duration.milliseconds(Int64((now.timeIntervalSince(mark.time) * 1000).rounded())))
        feedData(.pnl(venue: mark.venue), currentAt: clock.now.advanced(by: .zero - age))
    }

    /// Data on `feed` that was current at `instant`, for every stale-feed rule watching it; returns whether one
    /// does. A deadline moved earlier (data with an old time) re-sets the rule's timer, which was set later.
    @discardableResult
    private func feedData(_ feed: FeedName, currentAt instant: C.Instant) -> Bool {
        var known = false
        for (id, monitor) in staleFeeds where monitor.feed == feed {
            known = true
            if staleFeeds[id]?.record(currentAt: instant) == true, started, !isFired(id) { armTimer(id) }
        }
        return known
    }

    /// One countdown refresh's result for the venue entries it covers (`dms-lost` rules): a run of
    /// `failures` failed refreshes trips each covered entry's scope.
    public func countdownRefreshed(venues: [String], succeeded: Bool, detail: String?) async {
        for venue in venues {
            let id = RuleDefinition.countdownLossRuleId(venue: venue)
            guard let rule = rules.first(where: { $0.id == id }), let evaluation = countdownLosses[id]?.record(succeeded: succeeded, detail: detail) else { continue }
            if evaluation.fired { await fire(rule, evaluation) }
        }
    }

    /// Re-arms a rule for the scope its incident tripped: its heartbeat grace starts again now; a stale feed is
    /// judged from now (it gets `max_age` to speak).
    public func rearmed(ruleId: String, scope: Scope) {
        firedRules.removeValue(forKey: Latch(ruleId: ruleId, scope: scope))
        guard !isFired(ruleId) else { return }
        if heartbeats[ruleId] != nil {
            heartbeats[ruleId]?.rearm(at: clock.now)
            armTimer(ruleId)
        }
        if staleFeeds[ruleId] != nil {
            staleFeeds[ruleId]?.rearm(at: clock.now)
            armTimer(ruleId)
        }
    }

    /// Whether the rule's condition still holds in the scope its incident tripped (re-arm is refused while
    /// it does, unless forced).
    public func conditionHolds(ruleId: String, scope: Scope) -> Bool {
        if orderRates[ruleId] != nil {
            return orderRates[ruleId]?.evaluate(in: scope, at: clock.now).fired ?? false
        }
        return evaluations().first { $0.ruleId == ruleId }?.fired ?? false
    }

    /// Every rule's current value and threshold, for status. `date`: the wall clock's now (default `wallClock`).
    public func evaluations(now date: Date? = nil) -> [RuleEvaluation] {
        let date = date ?? wallDate()
        let now = clock.now
        var out: [RuleEvaluation] = []
        for rule in rules {
            switch rule.kind {
            case .heartbeat: if let e = heartbeats[rule.id]?.evaluate(at: now) { out.append(e) }
            case .orderRate: if var m = orderRates[rule.id] { out.append(m.evaluate(at: now)) }
            case .rejectStorm: if var m = rejectStorms[rule.id] { out.append(m.evaluate(at: now)) }
            case .lossLimit: if let e = lossLimits[rule.id]?.evaluate(at: date) { out.append(e) }
            case .drawdown: if let e = drawdowns[rule.id]?.evaluate(at: date) { out.append(e) }
            case .exposure:
                out.append(lastExposure[rule.id] ?? RuleEvaluation(ruleId: rule.id, fired: false, value: "-", threshold: "-", reason: "no exposure measured yet"))
            case .staleFeed: if let e = staleFeeds[rule.id]?.evaluate(at: now) { out.append(e) }
            case .dmsLost: if let m = countdownLosses[rule.id] { out.append(m.evaluate()) }
            }
        }
        return out
    }

    /// A watched heartbeat source as the metrics show it: how long since this process last heard it (nil: not
    /// since its rule was armed or re-armed), how long it has been watched, and its timeout (the shortest, when
    /// several rules watch it).
    public struct HeartbeatWatch: Sendable, Hashable {
        public var source: String
        public var sinceHeard: Duration?
        public var watchedFor: Duration
        public var timeout: Duration
    }

    /// Every watched heartbeat source (read-only; for the metrics).
    public func heartbeatWatches() -> [HeartbeatWatch] {
        let now = clock.now
        var bySource: [String: HeartbeatWatch] = [:]
        for monitor in heartbeats.values {
            let heard = monitor.lastHeartbeat.map { $0.duration(to: now) }
            let watch = HeartbeatWatch(source: monitor.source, sinceHeard: heard, watchedFor: monitor.armedAt.duration(to: now), timeout: monitor.timeout)
            guard let seen = bySource[monitor.source] else {
                bySource[monitor.source] = watch
                continue
            }
            bySource[monitor.source] = HeartbeatWatch(
                source: monitor.source, sinceHeard: [seen.sinceHeard, heard].compactMap { $0 }.min(),
                watchedFor: max(seen.watchedFor, watch.watchedFor), timeout: min(seen.timeout, watch.timeout))
        }
        return bySource.values.sorted { $0.source < $1.source }
    }

    // MARK: Firing

    private func fire(_ rule: RuleDefinition, _ evaluation: RuleEvaluation) async {
        // A rule evaluated per account (order-rate) trips the narrower scope it measured, inside the rule's scope.
        let scope = evaluation.scope.map { narrower in
            Scope(venue: rule.scope.venue ?? narrower.venue, account: rule.scope.account ?? narrower.account, symbol: rule.scope.symbol ?? narrower.symbol)
        } ?? rule.scope
        let latch = Latch(ruleId: rule.id, scope: scope)
        guard firedRules[latch] == nil else { return }
        firedRules[latch] = 0
        // The trip always latches (in memory first when the store cannot write), so the latch stays set. Logged
        // after it: the first cancels are on their way by then.
        let incident = await trip(scope, evaluation.reason, rule.id)
        if let incident { firedRules[latch] = incident }
        logger.critical("rule fired", metadata: ["rule": "\(rule.id)", "reason": "\(evaluation.reason)", "scope": "\(scope)", "incident": "\(incident.map(String.init) ?? "-")"])
    }

    /// One timer per heartbeat or stale-feed rule, set for its current deadline; data that moves the deadline
    /// later is picked up when the timer wakes (it sleeps again until the new deadline); data that moves it
    /// earlier re-sets the timer.
    private func armTimer(_ id: String) {
        timers[id]?.cancel()
        let clock = self.clock
        timers[id] = Task { [weak self] in
            while !Task.isCancelled {
                guard let self, let deadline = await self.deadline(id) else { return }
                // Tolerance zero: by default Dispatch may fire a timer a tenth of its wait late (at least 1 ms) to
                // coalesce it with others — a dead-man's switch with a 10 s timeout could trip a second late.
                do { try await clock.sleep(until: deadline, tolerance: .zero) } catch { return }
                if await self.timerExpired(id) { return }
            }
        }
    }

    private func deadline(_ id: String) -> C.Instant? {
        guard !isFired(id) else { return nil }
        return heartbeats[id]?.deadline ?? staleFeeds[id]?.deadline
    }

    /// Fires the rule if its deadline has passed; returns true when the timer is done.
    private func timerExpired(_ id: String) async -> Bool {
        guard let rule = rules.first(where: { $0.id == id }) else { return true }
        let now = clock.now
        let evaluation: RuleEvaluation
        if let monitor = heartbeats[id] {
            guard monitor.isExpired(at: now) else { return false }
            evaluation = monitor.evaluate(at: now)
        } else if let monitor = staleFeeds[id] {
            guard monitor.isExpired(at: now) else { return false }
            evaluation = monitor.evaluate(at: now)
        } else {
            return true
        }
        await fire(rule, evaluation)
        return true
    }
}
