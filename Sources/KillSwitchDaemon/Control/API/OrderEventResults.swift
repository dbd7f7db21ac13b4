/// `POST /v1/orders/events` answer: one result per event, in order, plus totals.
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

    public var stored: Int
    public var duplicates: Int
    public var rejected: Int
    /// Accepted events that carry a warning.
    public var warnings: Int
    public var results: [Result]

    public init(results: [Result]) {
        self.results = results
        stored = results.filter { $0.result == "stored" }.count
        duplicates = results.filter { $0.result == "duplicate" }.count
        rejected = results.filter { $0.result == "rejected" }.count
        warnings = results.filter { $0.warning != nil }.count
    }
}
