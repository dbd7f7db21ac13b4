import Foundation
import NIOConcurrencyHelpers

/// A venue's clock as seen from here: local wall time plus an offset (server minus local, ms) estimated
/// from the venue's time endpoint at the midpoint of the round trip. Signed timestamps read `now`.
public final class VenueClock: Sendable {
    private let offset = NIOLockedValueBox<Int64>(0)
    private let localNow: @Sendable () -> Int64

    /// `localNow` is injectable for tests; by default the system's wall clock in ms.
    public init(localNow: @escaping @Sendable () -> Int64 = VenueClock.systemMilliseconds) {
        self.localNow = localNow
    }

    public static let systemMilliseconds: @Sendable () -> Int64 = {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }

    /// Server minus local, in ms.
    public var offsetMilliseconds: Int64 { offset.withLockedValue { $0 } }

    /// The venue's time now, in ms: what signed timestamps use.
    public func now() -> Int64 { localNow() + offsetMilliseconds }

    /// Local time, uncorrected.
    public func local() -> Int64 { localNow() }

    /// Records a server-time sample taken between `sentAt` and `receivedAt` (local ms); returns the offset.
    @discardableResult
    public func record(serverTime: Int64, sentAt: Int64, receivedAt: Int64) -> Int64 {
        let estimate = serverTime - (sentAt + receivedAt) / 2
        offset.withLockedValue { $0 = estimate }
        return estimate
    }

    public func set(offsetMilliseconds value: Int64) {
        offset.withLockedValue { $0 = value }
    }
}
