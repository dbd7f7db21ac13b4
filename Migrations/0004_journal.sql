-- killswitch schema, version 4: rows written while the database could not write.
-- When SQLite cannot write (a full disk, an I/O error, a lock that does not clear), the daemon keeps
-- cancelling and writes intents, answers and incidents to a preallocated journal file instead; once the
-- database writes again the journal is merged, record by record, and emptied. Each merged record's key is kept
-- here, so a merge interrupted by a crash is resumed without writing anything twice.
CREATE TABLE journal_merged (
    key       TEXT PRIMARY KEY,
    kind      TEXT NOT NULL,
    -- The real ids the record's provisional ones became, as JSON {"-3": 17, ...}: a later record refers to
    -- them, also after a crash between two merges.
    ids       TEXT NOT NULL DEFAULT '{}',
    merged_at INTEGER NOT NULL
);

-- Which rows came from the journal (NULL: written directly): the audit shows them.
ALTER TABLE incidents ADD COLUMN journal_key TEXT;
ALTER TABLE cancel_intents ADD COLUMN journal_key TEXT;
