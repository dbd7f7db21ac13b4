import Foundation
import Synchronization

/// What the daemon last saw of each venue-account: written by the venue maintenance service and the
/// incident executor, read by `/v1/status` and the metrics.
public final class VenueHealthRegistry: Sendable {
    public struct Health: Sendable, Hashable, Codable {
        /// Wall-clock ms of the last answer the venue gave (any endpoint), and whether it was a success.
        public var lastAnswerAt: Int64?
        public var lastAnswerOK: Bool?
        /// Wall-clock ms and result of the last armed check (credentials valid, can cancel).
        public var armedCheckAt: Int64?
        public var armedCheckOK: Bool?
        public var armedCheckDetail: String?
        /// Server minus local, ms, from the last clock sync.
        public var clockOffsetMilliseconds: Int64?

        public init() {}
    }

    private let state = Mutex<[String: Health]>([:])

    public init() {}

    public func update(_ venueId: String, _ change: (inout Health) -> Void) {
        state.withLock { change(&$0[venueId, default: Health()]) }
    }

    public func health(_ venueId: String) -> Health { state.withLock { $0[venueId] ?? Health() } }

    public var snapshot: [String: Health] { state.withLock { $0 } }
}
