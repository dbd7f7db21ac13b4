/// Bad admin input (seeds, faults, filters, limits); `reason` is what the admin API answers with its 400.
public struct VenueSimError: Error, CustomStringConvertible, Sendable {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
