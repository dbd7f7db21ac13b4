/// An order's lifecycle status as reported by the trading systems (event `status`).
public enum OrderStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case new
    case acknowledged
    case partiallyFilled
    case filled
    case cancelled
    case rejected
    case expired

    /// Terminal states are final: no later event reopens the order.
    public var isTerminal: Bool {
        switch self {
        case .filled, .cancelled, .rejected, .expired: true
        case .new, .acknowledged, .partiallyFilled: false
        }
    }

    public var isOpen: Bool { !isTerminal }

    /// Progress rank among open states, so a late `acknowledged` never undoes `partiallyFilled`.
    var openRank: Int {
        switch self {
        case .new: 0
        case .acknowledged: 1
        case .partiallyFilled: 2
        case .filled, .cancelled, .rejected, .expired: 3
        }
    }

    /// The status after `next` arrives when the order is `self`: terminal wins and stays, open states only advance.
    public func merging(_ next: OrderStatus) -> OrderStatus {
        if isTerminal { return self }
        if next.isTerminal { return next }
        return next.openRank > openRank ? next : self
    }

    public static var allNames: String { allCases.map(\.rawValue).joined(separator: ", ") }
}

public enum OrderSide: String, Sendable, Hashable, CaseIterable, Codable {
    case buy
    case sell
}
