import KillSwitchCore
import Testing
@testable import KillSwitchDaemon

/// Warm connections = the burst a venue's cancel bucket allows, capped: Bitget's 10 cancels at once need
/// 10 connections; Gate's 200 or Binance's weight would want hundreds, held to the cap.
@Suite struct ConnectionWarmerTests {
    @Test func countFollowsTheCancelBurst() {
        let limits = VenueRateLimits(clock: ManualClock())
        limits.register(venueId: "bitget", kind: .bitgetMix, account: "main")
        limits.register(venueId: "gate", kind: .gateFutures, account: "main")
        limits.register(venueId: "binance", kind: .binanceCoinM, account: "main")
        #expect(ConnectionWarmer.count(venueId: "bitget", limits: limits) == 10)
        #expect(ConnectionWarmer.count(venueId: "gate", limits: limits) == ConnectionWarmer.maximum)
        #expect(ConnectionWarmer.count(venueId: "binance", limits: limits) == ConnectionWarmer.maximum)
        // A safety margin shrinks the usable burst, and the warm count with it.
        let careful = VenueRateLimits(clock: ManualClock(), safetyMargin: 0.5)
        careful.register(venueId: "bitget", kind: .bitgetMix, account: "main")
        #expect(ConnectionWarmer.count(venueId: "bitget", limits: careful) == 5)
    }
}
