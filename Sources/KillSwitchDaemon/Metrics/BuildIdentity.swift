/// The version and commit the running binary was built from, for `killswitch_build_info{version,commit}`.
///
/// The CLI embeds them at build time (its generated `BuildInfo`, from VERSION and the git checkout) and hands
/// them to the daemon through `Daemon.Options.build`; a daemon built without it (tests, benchmarks) says
/// "unknown".
public struct BuildIdentity: Sendable, Hashable {
    public var version: String
    public var commit: String

    public init(version: String, commit: String) {
        self.version = version
        self.commit = commit
    }

    public static let unknown = BuildIdentity(version: "unknown", commit: "unknown")
}
