import ArgumentParser
import Foundation
import KillSwitchCore
import Venues

/// `killswitch venue …`: talking to one venue by hand.
public struct VenueCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "venue",
        abstract: "Check a venue's keys, and inspect the exact requests killswitch sends to it.",
        subcommands: [VenueCheckCommand.self, VenueRequestCommand.self]
    )

    public init() {}
}

/// `killswitch venue request`: prints (and with `--send`, sends) the exact batch-cancel request.
public struct VenueRequestCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "request",
        abstract: "Print the exact signed batch-cancel request for a venue kind, as JSON.",
        discussion: """
        With --venue ID, the venue's kind, base_url, market settings and credentials come from the config, resolved \
        as `run` resolves them. With --venue-kind instead, the key, secret and passphrase come from \
        KILLSWITCH_API_KEY, KILLSWITCH_API_SECRET and KILLSWITCH_API_PASSPHRASE and the market from the options. \
        The key is shown as its first 4 characters unless --show-key; the passphrase is always ***; the signature \
        is shown in full. --timestamp makes the output deterministic. With --send the request is sent and the \
        per-order outcomes are printed.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "A venue id from the config: its kind, base_url, market settings and credentials.")
    var venue: String?

    @Option(name: .customLong("venue-kind"), help: "One of: \(VenueKind.allNames) (credentials from KILLSWITCH_API_*).")
    var venueKind: String?

    @Option(help: "Order ids, comma-separated (client order ids with --client-ids).")
    var orders: String

    @Flag(name: .customLong("client-ids"), help: "The ids are client order ids.")
    var clientIds = false

    @Option(help: "The venue symbol (required for gate-spot, bitget-mix, binance-coinm).")
    var symbol: String?

    @Option(help: "gate-futures settle currency (default usdt; with --venue, the config's).")
    var settle: String?

    @Option(name: .customLong("product-type"), help: "bitget-mix product type (default USDT-FUTURES; with --venue, the config's).")
    var productType: String?

    @Option(name: .customLong("margin-coin"), help: "bitget-mix margin coin.")
    var marginCoin: String?

    @Option(name: .customLong("gate-account"), help: "gate-spot account (spot or unified), sent as `account` when given.")
    var gateAccount: String?

    @Option(name: .customLong("base-url"), help: "Base URL (default: the venue's production URL).")
    var baseURL: String?

    @Option(help: "Timestamp in ms since the epoch (default: now; with --send, the venue-corrected now).")
    var timestamp: Int64?

    @Option(name: .customLong("recv-window"), help: "binance-coinm recvWindow in ms.")
    var recvWindow: Int64 = 5000

    @Flag(name: .customLong("show-key"), help: "Show the API key in full.")
    var showKey = false

    @Flag(help: "Send the request and print the parsed per-order outcomes.")
    var send = false

    public init() {}

    public func run() async throws {
        let (descriptor, credentials, timeoutMilliseconds) = try target()
        let kind = descriptor.kind
        let ids = orders.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !ids.isEmpty else { throw ValidationError("--orders needs at least one id") }
        guard ids.count <= kind.batchLimit else { throw ValidationError("\(kind.rawValue) takes at most \(kind.batchLimit) ids per request") }
        if symbol == nil, [VenueKind.gateSpot, .bitgetMix, .binanceCoinM].contains(kind) {
            throw ValidationError("--symbol is required for \(kind.rawValue)")
        }
        let targets = ids.map {
            CancelTarget(orderId: 0, symbol: symbol ?? "", venueOrderId: clientIds ? nil : $0, clientOrderId: clientIds ? $0 : nil)
        }
        let batch = CancelBatch(venueId: descriptor.id, symbol: kind.batchIsPerSymbol ? symbol : nil, targets: targets, byClientId: clientIds)
        let options = VenueRequestOptions(binanceRecvWindowMilliseconds: recvWindow)

        guard send else {
            let request = try VenueRequests.build(.batchCancel(batch), descriptor: descriptor, credentials: credentials,
                                                  timestampMilliseconds: timestamp ?? VenueClock.systemMilliseconds(), options: options)
            print(RequestPreview.json(RequestPreview.redacted(request, credentials: credentials, showKey: showKey)))
            return
        }

        let httpClient = VenueClients.makeSharedHTTPClient()
        do {
            var configuration = VenueClientConfiguration(requestOptions: options)
            if let timeoutMilliseconds { configuration.requestTimeoutMilliseconds = timeoutMilliseconds }
            let client = try VenueClients.make(descriptor: descriptor, credentials: credentials, httpClient: httpClient, configuration: configuration)
            if timestamp == nil { await client.warmUp() }
            let request = try VenueRequests.build(.batchCancel(batch), descriptor: descriptor, credentials: credentials,
                                                  timestampMilliseconds: timestamp ?? client.clock.now(), options: options)
            print(RequestPreview.json(RequestPreview.redacted(request, credentials: credentials, showKey: showKey)))
            let result = await client.send(request, classifyingAs: batch)
            print(RequestPreview.json(result))
            try await httpClient.shutdown()
            // Exit 1 unless every order is cancelled, already gone, or (HTX) submitted.
            if result.outcomes.contains(where: { ![.cancelled, .alreadyClosed, .pending].contains($0.kind) }) {
                throw ExitCode.failure
            }
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
    }

    /// The venue to talk to: a configured one (`--venue`), or one described by the options (`--venue-kind`).
    /// Returns the request timeout of a configured venue too.
    func target() throws -> (VenueDescriptor, VenueCredentials, Int64?) {
        switch (venue, venueKind) {
        case (nil, nil):
            throw ValidationError("give --venue ID (a configured venue) or --venue-kind KIND (credentials from KILLSWITCH_API_*)")
        case (.some, .some):
            throw ValidationError("--venue and --venue-kind: give one (a configured venue already has a kind)")
        case (let id?, nil):
            let explicit = [("--settle", settle), ("--product-type", productType), ("--margin-coin", marginCoin), ("--gate-account", gateAccount)]
            if let (option, _) = explicit.first(where: { $0.1 != nil }) {
                throw ValidationError("\(option): with --venue the market settings are the config's; drop \(option)")
            }
            let configured = try ConfiguredVenue.load(id: id, global: global)
            var descriptor = configured.descriptor
            if let baseURL { descriptor.baseURL = baseURL }
            return (descriptor, configured.credentials, configured.venue.requestTimeout.nanoseconds / 1_000_000)
        case (nil, let kindName?):
            guard let kind = VenueKind(rawValue: kindName) else {
                throw ValidationError("unknown venue kind \"\(kindName)\"; expected one of \(VenueKind.allNames)")
            }
            let env = ProcessInfo.processInfo.environment
            guard let key = env["KILLSWITCH_API_KEY"], !key.isEmpty, let secret = env["KILLSWITCH_API_SECRET"], !secret.isEmpty else {
                throw ValidationError("set KILLSWITCH_API_KEY and KILLSWITCH_API_SECRET (and KILLSWITCH_API_PASSPHRASE for bitget-mix), or use --venue ID")
            }
            let market = VenueMarket(
                settle: kind == .gateFutures ? settle ?? "usdt" : nil,
                productType: kind == .bitgetMix ? productType ?? "USDT-FUTURES" : nil,
                marginCoin: kind == .bitgetMix ? marginCoin : nil,
                gateAccount: kind == .gateSpot ? gateAccount : nil
            )
            let descriptor = VenueDescriptor(id: "cli", kind: kind, account: "cli", baseURL: baseURL ?? kind.productionBaseURL, market: market)
            return (descriptor, VenueCredentials(apiKey: key, secret: secret, passphrase: env["KILLSWITCH_API_PASSPHRASE"]), nil)
        }
    }
}
