import Foundation
import Testing
import KillSwitchCore
@testable import KillSwitchConfig

/// `[pnl] mark_skew` and the `stale-feed` rule: parsed, defaulted, and every bad value named with its key path.
@Suite struct PnLConfigTests {
    func issues(_ text: String) -> [String] {
        do {
            _ = try ConfigParser.parse(text, file: "test.toml")
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func markSkewDefaultsToFiveSecondsAndIsBounded() throws {
        #expect(try ConfigParser.parse("").pnl.markSkew == .seconds(5))
        #expect(try ConfigParser.parse("[pnl]\nmark_skew = \"2s\"").pnl.markSkew == .seconds(2))
        #expect(try ConfigParser.parse("[pnl]\nmark_skew = \"1m\"").pnl.markSkew == .seconds(60))
        #expect(issues("[pnl]\nmark_skew = \"2m\"") == [
            "pnl.mark_skew: 2m is too large; at most 1m (a mark dated ahead holds its venue's place against later marks until its time comes)",
        ])
        #expect(issues("[pnl]\nmark_skew = 5") == [#"pnl.mark_skew: expected a duration string such as "250ms", "5s", "2m" or "1h", got an integer"#])
        #expect(issues("[pnl]\nmark_skw = \"5s\"").first?.hasPrefix("pnl.mark_skw: unknown key") == true)
    }

    static func staleFeed(_ lines: String) -> String {
        ConfigParserTests.valid + "\n\n[[rules]]\nid = \"feed\"\ntype = \"stale-feed\"\n" + lines
    }

    @Test func staleFeedRulesNameAFeedAndAMaxAge() throws {
        let pnl = try ConfigParser.parse(Self.staleFeed("feed = \"pnl:binance-main\"\nmax_age = \"2m\"\nscope = { venue = \"binance-main\" }"))
        #expect(pnl.rules.last == RuleDefinition(id: "feed", scope: Scope(venue: "binance-main"), kind: .staleFeed(feed: .pnl(venue: "binance-main"), maxAge: .seconds(120))))
        #expect(pnl.rules.last?.typeName == "stale-feed")
        let beat = try ConfigParser.parse(Self.staleFeed("feed = \"heartbeat:bot7\"\nmax_age = \"10s\""))
        #expect(beat.rules.last?.kind == .staleFeed(feed: .heartbeat(source: "bot7"), maxAge: .seconds(10)))
    }

    @Test func aBadStaleFeedRuleIsNamed() {
        #expect(issues(Self.staleFeed("feed = \"orders:binance-main\"\nmax_age = \"2m\"")) == [
            #"rules[6].feed: unknown feed "orders:binance-main"; expected pnl:<venue id> or heartbeat:<source>"#,
        ])
        #expect(issues(Self.staleFeed("feed = \"pnl:kraken\"\nmax_age = \"2m\"")) == [
            #"rules[6].feed: unknown venue "kraken" in "pnl:kraken"; configured: binance-main, bitget-main"#,
        ])
        #expect(issues(Self.staleFeed("feed = \"pnl:binance-main\"")) == ["rules[6].max_age: missing (required)"])
        #expect(issues(Self.staleFeed("max_age = \"2m\"")) == ["rules[6].feed: missing (required)"])
        #expect(issues(Self.staleFeed("feed = \"heartbeat:bot7\"\nmax_age = \"2m\"\ngrace = \"5s\"")).first?.hasPrefix("rules[6].grace: unknown key") == true)
        #expect(issues(ConfigParserTests.valid.replacingOccurrences(of: "type = \"reject-storm\"", with: "type = \"stale-fed\"")).first?
            .contains("expected one of heartbeat, loss-limit, drawdown, order-rate, exposure, reject-storm, stale-feed") == true)
    }
}
