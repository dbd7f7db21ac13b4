import Foundation

/// A PnL mark sent by a trading system: `{venue, time, currency, realizedToday, unrealized, equity}`.
/// `venue` is the venue id; `time` is the mark's own time (its trading day is taken from it).
public struct PnLMark: Sendable, Hashable, Codable {
    public var venue: String
    public var time: Date
    public var currency: String
    public var realizedToday: DecimalAmount
    public var unrealized: DecimalAmount
    public var equity: DecimalAmount

    public init(venue: String, time: Date, currency: String, realizedToday: DecimalAmount, unrealized: DecimalAmount, equity: DecimalAmount) {
        self.venue = venue
        self.time = time
        self.currency = currency
        self.realizedToday = realizedToday
        self.unrealized = unrealized
        self.equity = equity
    }

    /// realizedToday + unrealized.
    public var pnl: Decimal { realizedToday.decimal + unrealized.decimal }
}

extension TradingDay {
    public var timeZone: TimeZone { TimeZone(identifier: timeZoneIdentifier) ?? TimeZone(secondsFromGMT: 0)! }

    /// The trading day `date` falls in, as a day number (days since 1970-01-01 of the local calendar
    /// shifted back by the day start). Equal numbers: same trading day.
    public func dayNumber(of date: Date) -> Int {
        let offset = timeZone.secondsFromGMT(for: date)
        let local = date.timeIntervalSince1970 + Double(offset) - Double(startMinute * 60)
        return Int((local / 86_400).rounded(.down))
    }

    /// The instant the trading day containing `date` started.
    public func start(ofDayContaining date: Date) -> Date {
        let day = dayNumber(of: date)
        let guess = Date(timeIntervalSince1970: Double(day) * 86_400 + Double(startMinute * 60))
        // The local midnight-plus-start of `day`, corrected by the zone offset at that instant.
        return guess.addingTimeInterval(-Double(timeZone.secondsFromGMT(for: guess)))
    }
}

/// The latest mark per venue account of one rule, within a trading day, and the currency check shared by
/// loss-limit and drawdown.
struct MarkBook: Sendable {
    let ruleId: String
    let venues: [String]
    let tradingDay: TradingDay
    private(set) var currency: String?
    private(set) var marks: [String: PnLMark] = [:]

    init(ruleId: String, venues: [String], tradingDay: TradingDay, currency: String?) {
        self.ruleId = ruleId
        self.venues = venues
        self.tradingDay = tradingDay
        self.currency = currency
    }

    /// Keeps `mark` if it is the newest from a listed venue. The first mark fixes the rule's currency
    /// (unless one was configured); a mark in another currency throws and is not kept.
    mutating func record(_ mark: PnLMark) throws -> Bool {
        guard venues.contains(mark.venue) else { return false }
        if let currency, currency.uppercased() != mark.currency.uppercased() {
            throw RuleError.currencyMismatch(ruleId: ruleId, venue: mark.venue, expected: currency, got: mark.currency)
        }
        if let existing = marks[mark.venue], existing.time > mark.time { return false }
        if currency == nil { currency = mark.currency }
        marks[mark.venue] = mark
        return true
    }

    /// The marks of trading day `day`, by venue.
    func marks(ofDay day: Int) -> [String: PnLMark] {
        marks.filter { tradingDay.dayNumber(of: $0.value.time) == day }
    }

    /// The listed venues without a mark of trading day `day`, in the rule's order.
    func missing(ofDay day: Int) -> [String] {
        let present = marks(ofDay: day)
        return venues.filter { present[$0] == nil }
    }
}

/// The `loss-limit` rule: trading-day PnL = Σ (realizedToday + unrealized) over the rule's venue
/// accounts (the latest mark of each, marks of an earlier trading day do not count); fires when
/// PnL ≤ −limit — exactly at the threshold fires. A venue without a mark for the day counts as 0.
public struct LossLimitEvaluator: Sendable {
    public let ruleId: String
    public let limit: DecimalAmount
    private var book: MarkBook

    /// - Parameter currency: the rule's currency when known from the config; otherwise the first mark
    ///   received fixes it.
    public init(ruleId: String, venues: [String], limit: DecimalAmount, tradingDay: TradingDay = TradingDay(), currency: String? = nil) {
        self.ruleId = ruleId
        self.limit = limit
        book = MarkBook(ruleId: ruleId, venues: venues, tradingDay: tradingDay, currency: currency)
    }

    public init?(rule: RuleDefinition, tradingDay: TradingDay = TradingDay(), currency: String? = nil) {
        guard case let .lossLimit(venues, limit) = rule.kind else { return nil }
        self.init(ruleId: rule.id, venues: venues, limit: limit, tradingDay: tradingDay, currency: currency)
    }

    public var venues: [String] { book.venues }
    public var currency: String? { book.currency }

    /// Records a mark. Returns false when it does not concern this rule (venue not listed) or is older
    /// than the mark already held for its venue. Throws `RuleError.currencyMismatch`.
    @discardableResult
    public mutating func record(_ mark: PnLMark) throws -> Bool {
        try book.record(mark)
    }

    /// The trading-day PnL at `now`.
    public func pnl(at now: Date) -> Decimal {
        let day = book.tradingDay.dayNumber(of: now)
        return book.marks(ofDay: day).values.reduce(Decimal(0)) { $0 + $1.pnl }
    }

    public func evaluate(at now: Date) -> RuleEvaluation {
        let value = pnl(at: now)
        let threshold = -limit.decimal
        let fired = value <= threshold
        let valueText = decimalText(value), thresholdText = decimalText(threshold)
        let currencyText = book.currency.map { " \($0)" } ?? ""
        // A venue without a mark today counts as 0: say which, so a dead feed is visible in status.
        let missing = book.missing(ofDay: book.tradingDay.dayNumber(of: now))
        let note = missing.isEmpty ? "" : "; no mark of the trading day from \(missing.joined(separator: ", ")) (counted as 0)"
        let reason = fired
            ? "PnL \(valueText)\(currencyText) at or below \(thresholdText)\(note) (\(ruleId))"
            : "PnL \(valueText)\(currencyText) above \(thresholdText)\(note) (\(ruleId))"
        return RuleEvaluation(ruleId: ruleId, fired: fired, value: valueText, threshold: thresholdText, reason: reason,
                              measures: [RuleMeasure(name: "pnl", value: value.metricValue, threshold: threshold.metricValue)])
    }
}

/// The `drawdown` rule: equity = Σ equity over the rule's venue accounts (latest mark of each, within
/// the trading day); peak = the day's highest such sum. Fires when peak − equity ≥ limit (absolute) or
/// ≥ peak × percent / 100 — exactly at the threshold fires.
///
/// A listed venue without a mark of the day (its feed dead, or not started yet) is left out of the sum: the rule
/// evaluates what it has and says so in its reason, rather than waiting for every venue — one dead feed must not
/// disable it. Leaving a venue out cannot fake a drop: within a day a venue only joins the sum (its latest mark
/// is kept), so the sum can only jump up when it does, raising the peak to the fuller figure. Only with no mark
/// of the day at all does the rule wait. The peak resets when the trading day rolls over. A stale mark still
/// counts as its venue's equity: the `stale-feed` rule is what trips on a feed gone quiet.
public struct DrawdownEvaluator: Sendable {
    public let ruleId: String
    public let limit: DrawdownLimit
    private var book: MarkBook
    /// The day the peak belongs to, and the peak.
    public private(set) var peakDay: Int?
    public private(set) var peak: Decimal?

    public init(ruleId: String, venues: [String], limit: DrawdownLimit, tradingDay: TradingDay = TradingDay(), currency: String? = nil) {
        self.ruleId = ruleId
        self.limit = limit
        book = MarkBook(ruleId: ruleId, venues: venues, tradingDay: tradingDay, currency: currency)
    }

    public init?(rule: RuleDefinition, tradingDay: TradingDay = TradingDay(), currency: String? = nil) {
        guard case let .drawdown(venues, limit) = rule.kind else { return nil }
        self.init(ruleId: rule.id, venues: venues, limit: limit, tradingDay: tradingDay, currency: currency)
    }

    public var venues: [String] { book.venues }
    public var currency: String? { book.currency }

    @discardableResult
    public mutating func record(_ mark: PnLMark) throws -> Bool {
        guard try book.record(mark) else { return false }
        let day = book.tradingDay.dayNumber(of: mark.time)
        guard let sum = equity(ofDay: day) else { return true }
        if let peakDay, peakDay > day { return true }
        if peakDay == day, let peak {
            self.peak = max(peak, sum)
        } else {
            peakDay = day
            peak = sum
        }
        return true
    }

    /// Σ equity of the venues with a mark of trading day `day`, or nil while none has one.
    private func equity(ofDay day: Int) -> Decimal? {
        let marks = book.marks(ofDay: day)
        guard !marks.isEmpty else { return nil }
        return book.venues.reduce(Decimal(0)) { sum, venue in sum + (marks[venue]?.equity.decimal ?? 0) }
    }

    /// The equity sum at `now` (nil while no listed venue has a mark of the day).
    public func equity(at now: Date) -> Decimal? {
        equity(ofDay: book.tradingDay.dayNumber(of: now))
    }

    /// The listed venues left out of the sum at `now` (no mark of the trading day).
    public func missing(at now: Date) -> [String] {
        book.missing(ofDay: book.tradingDay.dayNumber(of: now))
    }

    public func evaluate(at now: Date) -> RuleEvaluation {
        let day = book.tradingDay.dayNumber(of: now)
        let missing = book.missing(ofDay: day)
        let thresholdText: String
        guard peakDay == day, let peak, let current = equity(ofDay: day) else {
            switch limit {
            case .absolute(let amount): thresholdText = amount.text
            case .percent(let percent): thresholdText = "\(percent.text)%"
            }
            return RuleEvaluation(
                ruleId: ruleId, fired: false, value: "-", threshold: thresholdText,
                reason: "waiting for equity marks of the trading day from \(missing.joined(separator: ", ")) (\(ruleId))")
        }
        let drawdown = peak - current
        let allowed: Decimal
        switch limit {
        case .absolute(let amount):
            allowed = amount.decimal
            thresholdText = amount.text
        case .percent(let percent):
            allowed = peak * percent.decimal / 100
            thresholdText = "\(percent.text)% of \(decimalText(peak)) = \(decimalText(allowed))"
        }
        let fired = drawdown >= allowed
        let value = decimalText(drawdown)
        let partial = missing.isEmpty ? ""
            : "; partial: no equity mark of the trading day from \(missing.joined(separator: ", ")), summing \(book.venues.filter { !missing.contains($0) }.joined(separator: ", ")) only"
        let reason = fired
            ? "equity \(decimalText(current)) down \(value) from the day's peak \(decimalText(peak)), at or beyond \(thresholdText)\(partial) (\(ruleId))"
            : "equity \(decimalText(current)) down \(value) from the day's peak \(decimalText(peak)), within \(thresholdText)\(partial) (\(ruleId))"
        return RuleEvaluation(ruleId: ruleId, fired: fired, value: missing.isEmpty ? value : "\(value) (partial)", threshold: thresholdText, reason: reason,
                              measures: [RuleMeasure(name: "drawdown", value: drawdown.metricValue, threshold: allowed.metricValue)])
    }
}
