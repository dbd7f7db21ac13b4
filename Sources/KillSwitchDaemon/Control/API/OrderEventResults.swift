/// `POST /v1/orders/events` answer: totals, plus either the events that need a look (the default, compact
/// form) or every event's result in order (`?results=all`, the form the route answered with before).
public struct OrderEventResults: Sendable, Hashable, Codable {
    public struct Result: Sendable, Hashable, Codable {
        /// The event's position in the batch (line number from 0 for NDJSON).
        public var index: Int
        /// `stored`, `duplicate` or `rejected`.
        public var result: String
        public var orderId: Int64?
        /// The order's status after the event (stored events).
        public var orderStatus: String?
        /// `events[i].field: reason` (rejected events).
        public var error: String?
        /// `events[i].field: what was done` when the event was accepted but a field stored differently than
        /// sent (an origin label sent as clientOrderId is kept as the order's origin); several joined by "; ".
        public var warning: String?

        public init(index: Int, result: String, orderId: Int64? = nil, orderStatus: String? = nil, error: String? = nil, warning: String? = nil) {
            self.index = index
            self.result = result
            self.orderId = orderId
            self.orderStatus = orderStatus
            self.error = error
            self.warning = warning
        }
    }

    /// Which form the caller asked for (`?results=`).
    public enum Form: String, Sendable, CaseIterable {
        /// Totals and `exceptions`: a batch of 1,000 good events answers in a hundred bytes, not a hundred kilobytes.
        case exceptions
        /// Totals and `results`: one entry per event.
        case all
    }

    public var stored: Int
    public var duplicates: Int
    public var rejected: Int
    /// Accepted events that carry a warning.
    public var warnings: Int
    /// Every event's result, in batch order (`?results=all`; absent otherwise).
    public var results: [Result]?
    /// Only the events that did not simply go through — each rejected event and each accepted event with a
    /// warning — in batch order, each with its index (the default form; absent with `?results=all`). A
    /// separate key, so a client written for the per-event form fails loudly instead of reading it by position.
    public var exceptions: [Result]?

    public init(stored: Int, duplicates: Int, rejected: Int, warnings: Int, results: [Result]? = nil, exceptions: [Result]? = nil) {
        self.stored = stored
        self.duplicates = duplicates
        self.rejected = rejected
        self.warnings = warnings
        self.results = results
        self.exceptions = exceptions
    }

    /// Totals from every event's result, in the form asked for.
    public init(results: [Result], form: Form = .all) {
        self.init(stored: results.count { $0.result == "stored" }, duplicates: results.count { $0.result == "duplicate" },
                  rejected: results.count { $0.result == "rejected" }, warnings: results.count { $0.warning != nil })
        switch form {
        case .all: self.results = results
        case .exceptions: exceptions = results.filter(\.isException)
        }
    }
}

extension OrderEventResults.Result {
    /// Rejected, or accepted with a warning: what the compact form lists.
    public var isException: Bool { result == "rejected" || warning != nil }
}
