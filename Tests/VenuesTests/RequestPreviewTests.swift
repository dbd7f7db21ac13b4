import KillSwitchCore
import Testing
@testable import Venues

/// What `killswitch venue request` prints: key cut to 4 characters everywhere, passphrase `***`,
/// signature in full.
@Suite("Request preview and redaction")
struct RequestPreviewTests {
    let credentials = VenueCredentials(apiKey: "AKEY-1234567890", secret: "super-secret-value", passphrase: "my-passphrase")

    func build(_ kind: VenueKind, symbol: String = "BTCUSDT") throws -> SignedRequest {
        let ids = kind == .binanceCoinM ? ["12345"] : ["12345"]
        let batch = Fixtures.batch(ids.map { Fixtures.target($0, symbol: symbol) }, kind: kind)
        return try VenueRequests.build(.batchCancel(batch), descriptor: Fixtures.descriptor(kind), credentials: credentials, timestampMilliseconds: Fixtures.timestamp)
    }

    @Test(arguments: VenueKind.allCases) func keyRedactedEverywhere(_ kind: VenueKind) throws {
        let request = try build(kind)
        let preview = RequestPreview.json(RequestPreview.redacted(request, credentials: credentials, showKey: false))
        #expect(!preview.contains("AKEY-1234567890"))
        #expect(!preview.contains("1234567890"))
        #expect(preview.contains("AKEY"))
        #expect(!preview.contains("super-secret-value"))
        #expect(!preview.contains("my-passphrase"))
        // The signature is shown in full.
        let signature = request.header("SIGN") ?? request.header("ACCESS-SIGN")
            ?? request.url.components(separatedBy: "Signature=").last.map { $0 }
            ?? request.url.components(separatedBy: "signature=").last
        if let signature { #expect(preview.contains(signature)) }
    }

    @Test func showKeyShowsTheKeyButNeverThePassphrase() throws {
        let request = try build(.bitgetMix)
        let preview = RequestPreview.json(RequestPreview.redacted(request, credentials: credentials, showKey: true))
        #expect(preview.contains("\"ACCESS-KEY\": \"AKEY-1234567890\""))
        #expect(preview.contains("\"ACCESS-PASSPHRASE\": \"***\""))
        #expect(preview.contains("\"ACCESS-SIGN\": \"\(request.header("ACCESS-SIGN")!)\""))
    }

    @Test func htxKeyInURLIsRedacted() throws {
        let request = try build(.htxSpot)
        #expect(request.url.contains("AccessKeyId=AKEY-1234567890"))
        let redacted = RequestPreview.redacted(request, credentials: credentials, showKey: false)
        #expect(redacted.url.contains("AccessKeyId=AKEY%E2%80%A6&"))
        #expect(redacted.url.contains("&Signature="))
    }

    @Test func previewIsDeterministicJSON() throws {
        let request = try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("12345"), Fixtures.target("67890")], kind: .binanceCoinM)), .binanceCoinM)
        let preview = RequestPreview.json(RequestPreview.redacted(request, credentials: Fixtures.credentials, showKey: false))
        #expect(preview == """
        {
          "method": "DELETE",
          "url": "https://dapi.binance.com/dapi/v1/batchOrders?symbol=BTCUSD_PERP&orderIdList=%5B12345%2C67890%5D&recvWindow=5000&timestamp=1700000000000&signature=f4d049794f8a656e1537e3412296f29af9762168fd49b700bcb3565f24d1d656",
          "headers": {
            "X-MBX-APIKEY": "test…"
          },
          "body": null
        }
        """)
        #expect(JSONValue.parse(preview)?["headers"]?["X-MBX-APIKEY"]?.text == "test…")
    }

    @Test func gateBodyPreviewIsTheExactBodyText() throws {
        let request = try Fixtures.build(.batchCancel(Fixtures.batch([Fixtures.target("12345", symbol: "BTC_USDT"), Fixtures.target("67890", symbol: "ETH_USDT")], kind: .gateSpot)), .gateSpot)
        let preview = RequestPreview.json(RequestPreview.redacted(request, credentials: Fixtures.credentials, showKey: false))
        #expect(JSONValue.parse(preview)?["body"]?.text == #"[{"currency_pair":"BTC_USDT","id":"12345"},{"currency_pair":"ETH_USDT","id":"67890"}]"#)
        #expect(JSONValue.parse(preview)?["headers"]?["SIGN"]?.text == "130627e5bab973f49355dcefa226a888b23e33f84debdb9e8fcf3e4b4191c67d989c5ac9fe387aafcdaefdc202ed462987101b84bdae064a0396bda093958949")
    }

    @Test func credentialsDescriptionNeverShowsSecrets() {
        let text = "\(credentials) \(String(reflecting: credentials))"
        #expect(!text.contains("super-secret-value"))
        #expect(!text.contains("my-passphrase"))
        #expect(!text.contains("1234567890"))
    }
}
