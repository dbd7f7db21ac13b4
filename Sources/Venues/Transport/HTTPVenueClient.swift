import AsyncHTTPClient
import Foundation
import KillSwitchCore
import Logging

/// The `VenueClient` for every kind: the kind's pure adapter builds and reads, this adds the I/O — the
/// venue-corrected clock, the shared keep-alive transport, one resync-and-retry on a clock rejection,
/// rate-limit signals, and logs that never show more than the key's first 4 characters.
public final class HTTPVenueClient: VenueClient {
    public let descriptor: VenueDescriptor
    public let clock: VenueClock
    public let configuration: VenueClientConfiguration
    let adapter: any VenueAdapter
    let transport: HTTPTransport
    let logger: Logger
    let redactedKey: String
    /// Asked before every request this client puts on the wire (nil: unlimited, for tools and tests).
    let admission: (any RequestAdmission)?

    public var venueId: String { descriptor.id }
    public var kind: VenueKind { descriptor.kind }

    init(adapter: any VenueAdapter, credentials: VenueCredentials, httpClient: HTTPClient, configuration: VenueClientConfiguration, clock: VenueClock,
         admission: (any RequestAdmission)? = nil, logger: Logger) {
        self.descriptor = adapter.descriptor
        self.admission = admission
        self.adapter = adapter
        self.clock = clock
        self.configuration = configuration
        self.transport = HTTPTransport(client: httpClient, timeoutMilliseconds: configuration.requestTimeoutMilliseconds, maxResponseBytes: configuration.maxResponseBytes)
        var logger = logger
        logger[metadataKey: "venue"] = "\(adapter.descriptor.id)"
        self.logger = logger
        self.redactedKey = credentials.redactedKey
    }

    /// The current server-minus-local offset, in ms.
    public var clockOffsetMilliseconds: Int64 { clock.offsetMilliseconds }

    // MARK: One exchange with the venue

    enum Exchange {
        case answered(VenueHTTPAnswer)
        case failed(TransportFailure)
        case unbuildable(String)
        /// Never sent: the rate limiter did not admit it (a stopped fan-out, a cancelled wait).
        case notAdmitted(String)
    }

    /// What an answer means for the transport loop.
    struct AnswerVerdict {
        /// A clock rejection: resync and send once more.
        var clockRejection: Bool
        /// The venue refused it for rate.
        var throttled: Bool
    }

    /// Builds `call` at the venue's time, has it admitted by the rate limits, sends it, tells the limits what
    /// the answer said about them, and — when the answer is a clock rejection — resyncs the clock and sends it
    /// once more (admitted again: the venue counts the resend). Returns the last exchange and the summed latency.
    func perform(_ call: VenueCall, verdict: (VenueHTTPAnswer) -> AnswerVerdict) async -> (Exchange, Int64) {
        var latency: Int64 = 0
        var retried = false
        let operation = Self.operation(call)
        while true {
            let ticket: RateLimitTicket
            do {
                ticket = try await admission?.admit(venueId: descriptor.id, operation: operation) ?? .none
            } catch {
                return (.notAdmitted("not sent: \(error)"), latency)
            }
            let request: SignedRequest
            do {
                request = try adapter.request(call, timestampMilliseconds: clock.now(), hostHeader: adapter.baseURL.hostHeader)
            } catch {
                ticket.settle()
                return (.unbuildable(String(describing: error)), latency)
            }
            let started = DispatchTime.now().uptimeNanoseconds
            let result = await transport.send(request)
            // Over: the venue saw it (or never will) by now, so its window runs from here.
            ticket.settle()
            latency += Int64(DispatchTime.now().uptimeNanoseconds - started)
            switch result {
            case .failure(let failure):
                logger.warning("venue request failed", metadata: ["call": "\(Self.name(call))", "key": "\(redactedKey)", "error": "\(failure.description)", "sent": "\(failure.wasSent)"])
                return (.failed(failure), latency)
            case .success(let answer):
                logger.debug("venue answered", metadata: ["call": "\(Self.name(call))", "status": "\(answer.status)", "latencyMs": "\(latency / 1_000_000)"])
                let meaning = verdict(answer)
                report(answer, throttled: meaning.throttled, operation: operation)
                if !retried, meaning.clockRejection {
                    retried = true
                    logger.warning("venue rejected our timestamp; resyncing the clock and retrying once", metadata: ["call": "\(Self.name(call))", "key": "\(redactedKey)"])
                    _ = try? await syncClock()
                    continue
                }
                return (.answered(answer), latency)
            }
        }
    }

    /// Tells the rate limits what an answer said (throttle, ban, usage); a ban is logged at critical: no
    /// request to the venue can leave while it lasts.
    func report(_ answer: VenueHTTPAnswer, throttled: Bool, operation: VenueOperation) {
        guard let signal = rateLimit(answer, throttled: throttled) else { return }
        if let until = signal.bannedUntilMilliseconds {
            logger.critical("VENUE BAN: the venue refuses every request from this IP; nothing can be sent until the ban ends", metadata: [
                "status": "\(answer.status)", "until": "\(Timestamp.format(until))", "key": "\(redactedKey)",
            ])
        }
        admission?.venueSaid(signal, venueId: descriptor.id, operation: operation)
    }

    /// The rate-limit operation a call is counted as.
    static func operation(_ call: VenueCall) -> VenueOperation {
        switch call {
        case .batchCancel: .batchCancel
        case .cancelAll, .cancelAllOfEntry: .cancelAll
        case .openOrders(let symbol, _, _): .openOrders(symbol: symbol != nil)
        case .countdownCancelAll: .countdown
        case .serverTime: .time
        }
    }

    static func name(_ call: VenueCall) -> String {
        switch call {
        case .batchCancel: "batchCancel"
        case .cancelAll: "cancelAll"
        case .cancelAllOfEntry: "cancelAllOfEntry"
        case .openOrders: "openOrders"
        case .countdownCancelAll: "countdownCancelAll"
        case .serverTime: "serverTime"
        }
    }

    func rateLimit(_ answer: VenueHTTPAnswer, throttled: Bool) -> RateLimitSignal? {
        RateLimitHeaders.signal(answer, throttled: throttled, serverNowMilliseconds: clock.now())
    }

    // MARK: VenueClient

    public func cancel(_ batch: CancelBatch) async -> CancelRequestResult {
        let (exchange, latency) = await perform(.batchCancel(batch)) { answer in
            let verdict = adapter.classifyBatch(answer, batch: batch)
            return AnswerVerdict(clockRejection: verdict.resyncClock, throttled: verdict.outcomes.contains { $0.kind == .rateLimited })
        }
        switch exchange {
        case .notAdmitted(let reason):
            return CancelRequestResult(outcomes: batch.targets.map { OrderCancelOutcome(target: $0, kind: .retryable, message: reason) },
                                       httpStatus: nil, venueCode: nil, rawBody: "", latencyNanoseconds: 0, rateLimit: nil, transportError: reason, wasSent: false)
        case .unbuildable(let reason):
            return CancelRequestResult(outcomes: batch.targets.map { OrderCancelOutcome(target: $0, kind: .rejected, message: reason) },
                                       httpStatus: nil, venueCode: nil, rawBody: "", latencyNanoseconds: 0, rateLimit: nil, transportError: reason, wasSent: false)
        case .failed(let failure):
            // Sent but unanswered: it may have happened, so verify; never sent: safe to re-send.
            let kind: CancelOutcomeKind = failure.wasSent ? .unknown : .retryable
            return CancelRequestResult(outcomes: batch.targets.map { OrderCancelOutcome(target: $0, kind: kind, message: failure.description) },
                                       httpStatus: nil, venueCode: nil, rawBody: "", latencyNanoseconds: latency, rateLimit: nil, transportError: failure.description, wasSent: failure.wasSent)
        case .answered(let answer):
            let verdict = adapter.classifyBatch(answer, batch: batch)
            let throttled = verdict.outcomes.contains { $0.kind == .rateLimited }
            var result = CancelRequestResult(outcomes: verdict.outcomes, httpStatus: answer.status, venueCode: verdict.venueCode, rawBody: answer.body,
                                             latencyNanoseconds: latency, rateLimit: rateLimit(answer, throttled: throttled), transportError: nil)
            result.refusesCredentials = verdict.refusesCredentials || answer.status == 401 || answer.status == 403
            return result
        }
    }

    public func cancelAll(symbol: String) async -> CancelAllResult {
        await simpleCall(.cancelAll(symbol: symbol))
    }

    public func cancelAllOfEntry() async -> CancelAllResult {
        await simpleCall(.cancelAllOfEntry)
    }

    public func countdownCancelAll(symbol: String?, timeoutSeconds: Int) async -> CancelAllResult {
        await simpleCall(.countdownCancelAll(symbol: symbol, timeoutSeconds: timeoutSeconds))
    }

    /// Cancel-all and countdown: one call, or several where the venue works in rounds (HTX next-id).
    func simpleCall(_ call: VenueCall) async -> CancelAllResult {
        var totalLatency: Int64 = 0
        var bodies: [String] = []
        var named: [String] = []
        for _ in 0..<max(1, configuration.maxPages) {
            let (exchange, latency) = await perform(call) { answer in
                let c = adapter.classifySimple(answer, call: call).classification
                return AnswerVerdict(clockRejection: c.resyncClock, throttled: c.kind == .rateLimited)
            }
            totalLatency += latency
            switch exchange {
            case .notAdmitted(let reason):
                return CancelAllResult(kind: .retryable, httpStatus: nil, venueCode: nil, rawBody: bodies.joined(separator: "\n"), latencyNanoseconds: totalLatency,
                                       rateLimit: nil, transportError: reason)
            case .unbuildable(let reason):
                return CancelAllResult(kind: .rejected, httpStatus: nil, venueCode: nil, rawBody: "", latencyNanoseconds: 0, rateLimit: nil, transportError: reason)
            case .failed(let failure):
                return CancelAllResult(kind: failure.wasSent ? .unknown : .retryable, httpStatus: nil, venueCode: nil, rawBody: bodies.joined(separator: "\n"),
                                       latencyNanoseconds: totalLatency, rateLimit: nil, transportError: failure.description)
            case .answered(let answer):
                bodies.append(answer.body)
                let verdict = adapter.classifySimple(answer, call: call)
                let c = verdict.classification
                named += verdict.named
                if verdict.followUp == nil || c.kind != .pending && c.kind != .cancelled {
                    return CancelAllResult(kind: c.kind, httpStatus: answer.status, venueCode: c.code, rawBody: bodies.joined(separator: "\n"),
                                           latencyNanoseconds: totalLatency, rateLimit: rateLimit(answer, throttled: c.kind == .rateLimited),
                                           transportError: nil, named: named)
                }
            }
        }
        return CancelAllResult(kind: .unknown, httpStatus: nil, venueCode: nil, rawBody: bodies.joined(separator: "\n"), latencyNanoseconds: totalLatency,
                               rateLimit: nil, transportError: "cancel-all still had orders left after \(configuration.maxPages) rounds")
    }

    /// Every open order, every page of every leg read, merged by venue order id (first seen kept: an order
    /// listed by two legs moved between them and is the same order). A listing cut short (more pages than
    /// `maxPages`) or one whose position-paged passes keep disagreeing throws: an incomplete listing must never
    /// pass for "gone". Legs are read one after the other, in the adapter's order (see `ListingLeg`).
    public func openOrders(symbol: String?) async throws -> [VenueOpenOrder] {
        var merged: [VenueOpenOrder] = []
        var seen = Set<String>()
        for leg in adapter.listingLegs {
            for order in try await settledLeg(symbol: symbol, leg: leg) where seen.insert(order.venueOrderId).inserted {
                merged.append(order)
            }
        }
        return merged
    }

    /// One leg, every page read; a position-paged leg of several pages is read again until two passes agree.
    func settledLeg(symbol: String?, leg: ListingLeg) async throws -> [VenueOpenOrder] {
        var previous: Set<String>?
        for _ in 0..<Self.maxListingPasses {
            let (orders, pages) = try await listingPass(symbol: symbol, leg: leg)
            guard adapter.pagesByPosition, pages > 1 else { return orders }
            let ids = Set(orders.map(\.venueOrderId))
            if ids == previous { return orders }
            previous = ids
        }
        throw VenueAnswerError(Classification(kind: .unknown, code: nil,
                                              message: "open-order listing did not settle: \(Self.maxListingPasses) passes of position-paged results disagreed"), status: nil)
    }

    static let maxListingPasses = 4

    /// One pass over every page of one leg: the orders and how many pages it took.
    func listingPass(symbol: String?, leg: ListingLeg = .all) async throws -> (orders: [VenueOpenOrder], pages: Int) {
        var cursor: String?
        var orders: [VenueOpenOrder] = []
        var seen = Set<String>()
        for page in 1...max(1, configuration.maxPages) {
            let answer = try await openOrdersPage(symbol: symbol, cursor: cursor, leg: leg)
            for order in answer.orders where seen.insert(order.venueOrderId).inserted { orders.append(order) }
            guard let next = answer.nextCursor else { return (orders, page) }
            // A full page whose cursor did not move: the venue ignored it, and what lies past the page was never
            // read. That listing decides nothing.
            guard next != cursor else {
                throw VenueAnswerError(Classification(kind: .unknown, code: nil, message: "open-order listing did not advance past cursor \(next)"), status: nil)
            }
            cursor = next
        }
        let what = leg == .all ? "open-order listing" : "open-order listing (\(leg))"
        throw VenueAnswerError(Classification(kind: .unknown, code: nil,
                                              message: "\(what) cut at \(configuration.maxPages) pages with more to read"), status: nil)
    }

    /// One page, sent through `perform` like every request: admitted by the rate limits first.
    func openOrdersPage(symbol: String?, cursor: String?, leg: ListingLeg = .all) async throws -> OpenOrdersPage {
        let parse = { (answer: VenueHTTPAnswer) in self.adapter.parseOpenOrders(answer, symbol: symbol, cursor: cursor) }
        let (exchange, _) = await perform(.openOrders(symbol: symbol, cursor: cursor, leg: leg)) { answer in
            if case .failure(let e) = parse(answer) { return AnswerVerdict(clockRejection: e.resyncClock, throttled: e.kind == .rateLimited) }
            return AnswerVerdict(clockRejection: false, throttled: false)
        }
        switch exchange {
        case .notAdmitted(let reason):
            throw VenueAnswerError(Classification(kind: .retryable, code: nil, message: reason), status: nil)
        case .unbuildable(let reason):
            throw VenueAnswerError(Classification(kind: .rejected, code: nil, message: reason), status: nil)
        case .failed(let failure):
            throw VenueAnswerError(Classification(kind: failure.wasSent ? .unknown : .retryable, code: nil, message: failure.description), status: nil)
        case .answered(let answer):
            return try parse(answer).get()
        }
    }

    public func syncClock() async throws -> Int64 {
        let ticket = try await admission?.admit(venueId: descriptor.id, operation: .time) ?? .none
        defer { ticket.settle() }
        let request = try adapter.request(.serverTime, timestampMilliseconds: clock.now(), hostHeader: adapter.baseURL.hostHeader)
        let sentAt = clock.local()
        let result = await transport.send(request)
        let receivedAt = clock.local()
        switch result {
        case .failure(let failure):
            throw failure
        case .success(let answer):
            report(answer, throttled: answer.status == 429, operation: .time)
            guard let serverTime = adapter.parseServerTime(answer) else {
                throw VenueAnswerError(Classification(kind: .unknown, code: nil, message: "unreadable server time (HTTP \(answer.status))"), status: answer.status)
            }
            let offset = clock.record(serverTime: serverTime, sentAt: sentAt, receivedAt: receivedAt)
            logger.debug("clock synced", metadata: ["offsetMs": "\(offset)", "rttMs": "\(receivedAt - sentAt)"])
            return offset
        }
    }

    public func armedCheck() async -> ArmedCheckResult {
        do {
            // The first page of the first leg proves the key can list (the cancel probe, elsewhere, that it can cancel).
            let page = try await openOrdersPage(symbol: nil, cursor: nil, leg: adapter.listingLegs.first ?? .all)
            return ArmedCheckResult(ok: true, failure: nil, detail: "signed listing answered: \(page.orders.count) open order(s) on the first page")
        } catch let error as VenueAnswerError {
            logger.error("armed check failed", metadata: ["key": "\(redactedKey)", "error": "\(error.description)"])
            return ArmedCheckResult(ok: false, failure: error.kind, detail: error.description)
        } catch {
            return ArmedCheckResult(ok: false, failure: .unknown, detail: String(describing: error))
        }
    }

    /// See `CancelProbe`: one batch cancel of an order that cannot exist, through the same path as every cancel
    /// (clock-rejection resync included), read by the kind's own answer table.
    public func probeCancel() async -> ArmedCheckResult {
        let result = await cancel(CancelProbe.batch(for: descriptor))
        let verdict = CancelProbe.verdict(result)
        if !verdict.ok { logger.error("cancel probe failed", metadata: ["key": "\(redactedKey)", "detail": "\(verdict.detail)"]) }
        return verdict
    }

    public func warmUp() async {
        do {
            _ = try await syncClock()
        } catch {
            logger.warning("warm-up failed", metadata: ["error": "\(error)"])
        }
    }

    /// Binance's live `REQUEST_WEIGHT` limit from `exchangeInfo`; nil for venues that publish none.
    public func publishedWeightLimit() async throws -> BucketLimit? {
        guard let publisher = adapter as? any PublishesRateLimits else { return nil }
        let ticket = try await admission?.admit(venueId: descriptor.id, operation: .exchangeInfo) ?? .none
        defer { ticket.settle() }
        switch await transport.send(publisher.exchangeInfoRequest()) {
        case .failure(let failure):
            throw failure
        case .success(let answer):
            report(answer, throttled: answer.status == 429, operation: .exchangeInfo)
            guard let limit = publisher.parseRequestWeightLimit(answer) else {
                throw VenueAnswerError(Classification(kind: .unknown, code: nil, message: "exchangeInfo without a readable REQUEST_WEIGHT limit (HTTP \(answer.status))"), status: answer.status)
            }
            return limit
        }
    }
}

extension HTTPVenueClient {
    /// Sends an already built batch-cancel request exactly as given (no rebuild, no retry) and reads the
    /// answer — what `killswitch venue request --send` uses, so the request printed is the request sent.
    public func send(_ request: SignedRequest, classifyingAs batch: CancelBatch) async -> CancelRequestResult {
        let started = DispatchTime.now().uptimeNanoseconds
        let result = await transport.send(request)
        let latency = Int64(DispatchTime.now().uptimeNanoseconds - started)
        switch result {
        case .failure(let failure):
            let kind: CancelOutcomeKind = failure.wasSent ? .unknown : .retryable
            return CancelRequestResult(outcomes: batch.targets.map { OrderCancelOutcome(target: $0, kind: kind, message: failure.description) },
                                       httpStatus: nil, venueCode: nil, rawBody: "", latencyNanoseconds: latency, rateLimit: nil, transportError: failure.description, wasSent: failure.wasSent)
        case .success(let answer):
            let verdict = adapter.classifyBatch(answer, batch: batch)
            return CancelRequestResult(outcomes: verdict.outcomes, httpStatus: answer.status, venueCode: verdict.venueCode, rawBody: answer.body,
                                       latencyNanoseconds: latency, rateLimit: rateLimit(answer, throttled: verdict.outcomes.contains { $0.kind == .rateLimited }), transportError: nil)
        }
    }
}
