import Foundation
import Testing
@testable import KillSwitchDaemon

/// A failed countdown refresh as the webhooks carry it (`dms-failed`).
@Suite struct CountdownAlertTests {
    static let event = DaemonEvent.countdownFailed(venueIds: ["gate-spot", "gate-margin"], detail: "unknown: HTTP 502", armedUntil: 1_700_000_030_000)

    @Test func theGenericBodyNamesEveryEntryTheCountdownReachesAndWhenItFires() async throws {
        let payload = await WebhookPayload.make(Self.event, now: 1_700_000_001_000, host: "h1") { _ in nil }
        #expect(payload.event == "dms-failed")
        #expect(payload.venue == "gate-spot")
        #expect(payload.venues == ["gate-spot", "gate-margin"])
        #expect(payload.detail == "unknown: HTTP 502")
        #expect(payload.countdownFiresAt == "2023-11-14T22:13:50.000Z")
        #expect(payload.text == "killswitch countdown refresh FAILED on gate-spot, gate-margin: unknown: HTTP 502; the venue cancels everything it reaches at 2023-11-14T22:13:50.000Z unless a refresh gets through")
    }

    @Test func pagerDutyTriggersACriticalAlertPerVenue() async throws {
        let payload = await WebhookPayload.make(Self.event, now: 1_700_000_001_000, host: "h1") { _ in nil }
        let event = try #require(PagerDutyEvent.make(payload, routingKey: "key"))
        #expect(event.event_action == "trigger")
        #expect(event.dedup_key == "killswitch:h1:dms:gate-spot")
        #expect(event.payload?.severity == "critical")
        #expect(event.payload?.custom_details["countdown_fires_at"] == "2023-11-14T22:13:50.000Z")
    }

    @Test func neverArmedSaysDaemonOnly() async {
        let payload = await WebhookPayload.make(.countdownFailed(venueIds: ["htx"], detail: "rejected: HTTP 401", armedUntil: nil), now: 0, host: "h") { _ in nil }
        #expect(payload.text.contains("never armed: daemon-only protection"))
        #expect(payload.countdownFiresAt == nil)
    }
}
