/// `POST /v1/heartbeats/{source}` answer. `watched` is false when no heartbeat rule watches the source
/// (the heartbeat is still recorded: a misspelt source name shows up here rather than as a trip later).
public struct HeartbeatAnswer: Sendable, Hashable, Codable {
    public var source: String
    public var watched: Bool

    public init(source: String, watched: Bool) {
        self.source = source
        self.watched = watched
    }
}
