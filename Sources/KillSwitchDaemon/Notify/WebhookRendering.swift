import Foundation
import KillSwitchConfig

/// A notification as each `[[notify]] format` takes it. `generic` is killswitch's own JSON; Slack and
/// Discord get one line of text their incoming webhooks show as is; PagerDuty gets an Events v2 event.
enum WebhookRendering {
    /// The body for `format`, or nil when that format skips the notification (PagerDuty and a flat end).
    static func body(_ notification: WebhookPayload, format: WebhookFormat, routingKey: String?) -> Data? {
        switch format {
        case .generic:
            return notification.encoded()
        case .slack:
            return encode(SlackMessage(text: chatLine(notification)))
        case .discord:
            // Discord keeps 2000 characters; a venue's error text must never ping anyone.
            return encode(DiscordMessage(content: String(chatLine(notification).prefix(2_000)), username: "killswitch",
                                         allowed_mentions: .init(parse: [])))
        case .pagerduty:
            guard let routingKey else { return nil }
            return PagerDutyEvent.make(notification, routingKey: routingKey).map(encode)
        }
    }

    /// The notification's one line, with the host it comes from (a desk may run several daemons).
    static func chatLine(_ notification: WebhookPayload) -> String {
        "\(notification.text) [host \(notification.host)]"
    }

    struct SlackMessage: Encodable {
        var text: String
    }

    struct DiscordMessage: Encodable {
        struct AllowedMentions: Encodable {
            var parse: [String]
        }

        var content: String
        var username: String
        var allowed_mentions: AllowedMentions
    }

    static func encode(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)) ?? Data("{}".utf8)
    }
}
