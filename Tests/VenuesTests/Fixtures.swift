import Foundation
import KillSwitchCore
@testable import Venues

/// The fixed inputs of docs/venues.md's self-computed vectors.
enum Fixtures {
    static let credentials = VenueCredentials(apiKey: "test-api-key", secret: "test-api-secret", passphrase: "test-passphrase")
    static let timestamp: Int64 = 1_700_000_000_000

    static func descriptor(_ kind: VenueKind, baseURL: String? = nil, market: VenueMarket? = nil) -> VenueDescriptor {
        let defaultMarket: VenueMarket
        switch kind {
        case .gateFutures: defaultMarket = VenueMarket(settle: "usdt")
        case .gateSpot: defaultMarket = VenueMarket()
        case .htxSpot: defaultMarket = VenueMarket(accountId: "100009")
        case .bitgetMix: defaultMarket = VenueMarket(productType: "USDT-FUTURES", marginCoin: "USDT")
        case .binanceCoinM: defaultMarket = VenueMarket()
        }
        return VenueDescriptor(id: "\(kind.rawValue)-test", kind: kind, account: "main", baseURL: baseURL ?? kind.productionBaseURL, market: market ?? defaultMarket)
    }

    static func target(_ id: String, symbol: String = "BTCUSD_PERP", client: Bool = false, row: Int64 = 1) -> CancelTarget {
        CancelTarget(orderId: row, symbol: symbol, venueOrderId: client ? nil : id, clientOrderId: client ? id : nil)
    }

    static func batch(_ targets: [CancelTarget], kind: VenueKind) -> CancelBatch {
        CancelBatch(venueId: "\(kind.rawValue)-test", symbol: kind.batchIsPerSymbol ? targets.first?.symbol : nil, targets: targets,
                    byClientId: targets.allSatisfy(\.usesClientId))
    }

    static func build(_ call: VenueCall, _ kind: VenueKind, baseURL: String? = nil, market: VenueMarket? = nil, host: String? = nil) throws -> SignedRequest {
        try VenueRequests.build(call, descriptor: descriptor(kind, baseURL: baseURL, market: market), credentials: credentials,
                                timestampMilliseconds: timestamp, hostHeader: host)
    }

    /// The venue-answer examples kept beside the tests (`Fixtures/venue-answers/`, from the venue pages in docs/venues/).
    static var venueAnswers: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // VenuesTests
            .appendingPathComponent("Fixtures/venue-answers")
    }

    static func example(_ name: String) throws -> String {
        try String(contentsOf: venueAnswers.appendingPathComponent(name), encoding: .utf8)
    }
}
