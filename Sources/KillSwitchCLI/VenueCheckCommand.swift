import ArgumentParser
import Foundation
import KillSwitchCore
import Venues

/// `killswitch venue check --venue ID`: the first thing to run after writing a config. With the configured
/// credentials, read-only: the venue's server time and our clock's offset, a signed listing of open orders,
/// and HTX's account ids. `--cancel-probe` adds the daemon's armed-check cancel (one cancel of an order that
/// cannot exist), the one call that shows whether the key may cancel.
public struct VenueCheckCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a configured venue's keys: server time and clock offset, a signed listing, HTX account ids.",
        discussion: """
        Read-only unless --cancel-probe. Uses the venue's base_url and credentials from the config, resolved as \
        `run` resolves them; the key is shown as its first 4 characters. Exit 0 when every check passes, 1 when one \
        fails, 78 for a configuration or credentials problem.
        """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "A venue id from the config ([[venues]] id).")
    var venue: String

    @Flag(name: .customLong("cancel-probe"), help: "Also send one cancel of an order that cannot exist (what the daemon's armed check does): proves the key may cancel; a read-only key fails.")
    var cancelProbe = false

    public init() {}

    public func run() async throws {
        let configured = try ConfiguredVenue.load(id: venue, global: global)
        let descriptor = configured.descriptor
        CLIOutput.print("venue     \(descriptor.id): \(descriptor.kind.rawValue), account \(descriptor.account), \(descriptor.marketKey), at \(descriptor.baseURL)")
        CLIOutput.print("key       \(configured.credentials.redactedKey) (first 4 characters)")

        let httpClient = VenueClients.makeSharedHTTPClient()
        var failed = false
        do {
            let client = try configured.client(httpClient: httpClient)
            failed = await !checkTime(client) || failed
            failed = await !checkListing(client) || failed
            if descriptor.kind == .htxSpot { failed = await !checkHTXAccounts(client, configured: descriptor.market.accountId) || failed }
            if cancelProbe {
                let probe = await client.probeCancel()
                line("cancel", probe.ok, probe.detail)
                failed = failed || !probe.ok
            } else {
                CLIOutput.print("cancel    --    not checked (read-only run); --cancel-probe sends one cancel of an order that cannot exist, as the daemon's armed check does")
            }
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
        try await httpClient.shutdown()
        if failed { throw ExitCode.failure }
    }

    func line(_ what: String, _ ok: Bool, _ detail: String) {
        CLIOutput.print(what.padding(toLength: 10, withPad: " ", startingAt: 0) + (ok ? "ok    " : "FAIL  ") + detail)
    }

    /// The venue's time endpoint: its clock against ours. The daemon signs with the venue's time (it corrects by
    /// the offset), but an offset near the venue's tolerance means the host's clock needs fixing.
    func checkTime(_ client: HTTPVenueClient) async -> Bool {
        let started = ContinuousClock.now
        do {
            let offset = try await client.syncClock()
            let roundTrip = (ContinuousClock.now - started).nanoseconds / 1_000_000
            let server = Timestamp.format(client.clock.now())
            var detail = "server time \(server), clock offset \(offset >= 0 ? "+" : "")\(offset) ms (server minus this host), round trip \(roundTrip) ms"
            if abs(offset) > 1000 { detail += "; more than 1 s: fix this host's time (NTP)" }
            line("time", true, detail)
            return true
        } catch {
            line("time", false, "\(error) — is base_url right and the venue reachable from here?")
            return false
        }
    }

    /// A signed listing of every open order: the key, secret (and passphrase) sign, and the IP is allowed.
    func checkListing(_ client: HTTPVenueClient) async -> Bool {
        do {
            let orders = try await client.openOrders(symbol: nil)
            let bySymbol = Dictionary(grouping: orders, by: \.symbol).map { ($0.key, $0.value.count) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            let shown = bySymbol.prefix(5).map { "\($0.0) \($0.1)" }.joined(separator: ", ") + (bySymbol.count > 5 ? ", …" : "")
            line("listing", true, "signed listing answered: \(orders.count) open order(s)\(orders.isEmpty ? "" : " (\(shown))")")
            return true
        } catch {
            line("listing", false, "\(error) — check the key, secret\(client.kind == .bitgetMix ? ", passphrase" : ""), the key's read permission and its IP allow-list")
            return false
        }
    }

    /// HTX: the user's accounts; the spot one's id is the config's `account_id`.
    func checkHTXAccounts(_ client: HTTPVenueClient, configured: String?) async -> Bool {
        do {
            let accounts = try await client.htxAccounts() ?? []
            let listed = accounts.map { "\($0.type)\($0.subtype.isEmpty ? "" : "/\($0.subtype)") \($0.id) (\($0.state))" }.joined(separator: ", ")
            let spot = accounts.filter { $0.type == "spot" }.map(\.id)
            guard let configured, !configured.isEmpty else {
                line("accounts", false, "\(listed.isEmpty ? "no accounts" : listed); set account_id = \"\(spot.first ?? "?")\" (the spot account)")
                return false
            }
            if spot.contains(configured) {
                line("accounts", true, "\(listed); account_id \(configured) is the spot account")
                return true
            }
            line("accounts", false, "\(listed.isEmpty ? "no accounts" : listed); account_id \(configured) is not this key's spot account (spot: \(spot.isEmpty ? "none" : spot.joined(separator: ", ")))")
            return false
        } catch {
            line("accounts", false, "\(error)")
            return false
        }
    }
}
