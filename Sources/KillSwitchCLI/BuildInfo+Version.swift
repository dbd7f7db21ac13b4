// `BuildInfo` itself is generated at build time by the EmbedBuildInfo plugin (VERSION and the git commit).
extension BuildInfo {
    /// What `killswitch --version` prints: enough to tell which build an operator is running, and to find
    /// its source (the commit is "unknown" when built from a tree that is not a git checkout).
    static var versionLine: String { "killswitch \(version) (commit \(commit))" }
}
