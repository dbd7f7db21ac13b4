import Foundation
import KillSwitchCore

/// One venue kind's wire knowledge, all pure: build a signed request for a call, and read the answers.
/// `HTTPVenueClient` adds the I/O (clock, transport, retries) around it.
protocol VenueAdapter: Sendable {
    var descriptor: VenueDescriptor { get }
    /// The configured base URL, parsed (its Host header value is the default for `request`).
    var baseURL: VenueBaseURL { get }
    /// Whether listing pages are addressed by position (defaulted to false below).
    var pagesByPosition: Bool { get }
    /// The reads that together list every open order, in the order to read them (defaulted to `[.all]`).
    var listingLegs: [ListingLeg] { get }

    func request(_ call: VenueCall, timestampMilliseconds: Int64, hostHeader: String) throws -> SignedRequest
    func classifyBatch(_ answer: VenueHTTPAnswer, batch: CancelBatch) -> BatchVerdict
    /// Cancel-all and countdown answers.
    func classifySimple(_ answer: VenueHTTPAnswer, call: VenueCall) -> SimpleVerdict
    func parseOpenOrders(_ answer: VenueHTTPAnswer, symbol: String?, cursor: String?) -> Result<OpenOrdersPage, VenueAnswerError>
    /// Server time in ms from the time endpoint's answer.
    func parseServerTime(_ answer: VenueHTTPAnswer) -> Int64?
}

extension VenueAdapter {
    /// Whether listing pages are addressed by position (offset or page number) rather than by id: such
    /// paging skips rows when orders before the cursor disappear between pages (cancels in flight), so a
    /// listing of more than one page is repeated until two passes agree.
    var pagesByPosition: Bool { false }

    /// One read lists every open order, whatever its state.
    var listingLegs: [ListingLeg] { [.all] }

    /// A listing leg this venue kind does not take: refused rather than sent unfiltered, which would read
    /// more (or other) orders than asked.
    func unsupportedLeg(_ leg: ListingLeg) -> VenueRequestError {
        .unsupported("\(descriptor.kind.rawValue) lists every open order in one read; it has no \"\(leg)\" listing")
    }

    func checkBatch(_ batch: CancelBatch) throws {
        guard !batch.targets.isEmpty else { throw VenueRequestError.emptyBatch }
        let limit = descriptor.kind.batchLimit
        guard batch.targets.count <= limit else { throw VenueRequestError.batchTooLarge(count: batch.targets.count, limit: limit) }
        if descriptor.kind.batchIsPerSymbol {
            let symbols = Set(batch.targets.map(\.symbol))
            guard symbols.count == 1, batch.symbol == nil || symbols.first == batch.symbol else { throw VenueRequestError.mixedSymbols }
        }
    }

    /// A short, single-line excerpt of a body for messages (the raw body is kept whole elsewhere).
    func excerpt(_ body: String) -> String {
        let flat = body.replacingOccurrences(of: "\n", with: " ")
        return flat.count > 200 ? String(flat.prefix(200)) + "…" : flat
    }

    /// The classification of an answer that has no usable venue envelope and not the expected shape.
    func unreadable(_ answer: VenueHTTPAnswer, what: String) -> Classification {
        if !answer.isSuccess { return Classification.httpStatus(answer.status, message: "HTTP \(answer.status): \(excerpt(answer.body))") }
        return Classification(kind: .unknown, code: nil, message: answer.body.isEmpty ? "empty answer to \(what)" : "unreadable answer to \(what): \(excerpt(answer.body))")
    }
}
