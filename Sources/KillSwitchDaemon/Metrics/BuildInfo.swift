/// The version and commit the binary was built from, for `killswitch_build_info{version,commit}`.
///
/// Nothing embeds them at build time yet (the `--version` work does): until it does, both read "unknown",
/// and wiring them is one line in `current`.
public struct BuildInfo: Sendable, Hashable {
    public var version: String
    public var commit: String

    public init(version: String, commit: String) {
        self.version = version
        self.commit = commit
    }

    public static let current = BuildInfo(version: "unknown", commit: "unknown")
}
