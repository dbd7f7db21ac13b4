import KillSwitchCore

/// What happened to one event of a batch.
public enum IngestResult: Sendable, Hashable {
    /// Committed. `isNewOrder` when the event created the order (counts for the order-rate rule).
    case stored(orderId: Int64, status: OrderStatus, isNewOrder: Bool)
    /// An event with this eventId was already stored: nothing changed.
    case duplicate(orderId: Int64)
    case rejected(EventError)

    public var orderId: Int64? {
        switch self {
        case .stored(let id, _, _), .duplicate(let id): id
        case .rejected: nil
        }
    }
}
