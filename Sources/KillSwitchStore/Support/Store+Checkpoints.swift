extension Store {
    /// SQLite's default: the writer checkpoints the log inside the commit that takes it past this many pages.
    public static let automaticCheckpointPages = 1_000

    /// Whether the writer checkpoints the log itself (SQLite's default) or leaves it to a `WALCheckpointer`.
    /// Off only while one runs: with nobody checkpointing, the log would grow without end.
    public func setAutomaticCheckpoints(_ on: Bool) throws {
        try db.execute("PRAGMA wal_autocheckpoint = \(on ? Self.automaticCheckpointPages : 0)")
    }

    /// The writer's `wal_autocheckpoint` (0: left to a checkpointer).
    public func automaticCheckpointThreshold() throws -> Int {
        Int(try db.scalarInt("PRAGMA wal_autocheckpoint") ?? -1)
    }
}
