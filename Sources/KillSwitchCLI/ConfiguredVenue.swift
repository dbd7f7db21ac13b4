import ArgumentParser
import AsyncHTTPClient
import KillSwitchConfig
import KillSwitchCore
import Venues

/// One `[[venues]]` entry of the config with its credentials resolved through the same loader as `run`, for the
/// `venue` commands. Only that venue's credentials are resolved: checking one venue's keys must not wait for
/// every other venue's to be in place.
struct ConfiguredVenue {
    let venue: VenueConfiguration
    let credentials: VenueCredentials

    var descriptor: VenueDescriptor { venue.descriptor }

    /// `--venue ID` from the config (`--config`, `$KILLSWITCH_CONFIG` or the default path). Unknown ids are a
    /// usage error naming the configured ones; configuration and credential errors exit 78 with their key paths.
    static func load(id: String, global: GlobalOptions) throws -> ConfiguredVenue {
        var configuration = try global.loadConfiguration()
        guard let venue = configuration.venues.first(where: { $0.descriptor.id == id }) else {
            let known = configuration.venues.map(\.descriptor.id).sorted().joined(separator: ", ")
            throw ValidationError("--venue: no venue \"\(id)\" in \(global.configPath); configured: \(known.isEmpty ? "(none)" : known)")
        }
        guard venue.descriptor.enabled else {
            throw ValidationError("--venue: \(id) is disabled (enabled = false) in \(global.configPath): killswitch never contacts it")
        }
        configuration.venues = [venue]
        do {
            let resolved = try ConfigLoader.resolve(configuration)
            guard let resolvedVenue = resolved.configuration.venues.first, let credentials = resolved.credentials[id] else {
                throw ValidationError("--venue: \(id) has no credentials")
            }
            return ConfiguredVenue(venue: resolvedVenue, credentials: credentials)
        } catch let error as ConfigErrors {
            CLIOutput.error(error.description)
            throw ExitCode(ExitCodes.configuration)
        }
    }

    /// The client the daemon would build for this venue (its request timeout included).
    func client(httpClient: HTTPClient, options: VenueRequestOptions = VenueRequestOptions()) throws -> HTTPVenueClient {
        var configuration = VenueClientConfiguration(requestOptions: options)
        configuration.requestTimeoutMilliseconds = venue.requestTimeout.nanoseconds / 1_000_000
        return try VenueClients.make(descriptor: descriptor, credentials: credentials, httpClient: httpClient, configuration: configuration)
    }
}
