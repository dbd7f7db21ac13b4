import ArgumentParser

// Placeholder until the venue adapters land (issue 3): replaced by the adapters' `venue request`.
public struct VenueCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "venue", abstract: "Venue tools.", shouldDisplay: false)
    public init() {}
}
