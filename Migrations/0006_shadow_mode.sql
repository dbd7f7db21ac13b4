-- migrate: foreign-keys-off
-- killswitch schema, version 6: shadow mode. A daemon run with [engine] mode = "shadow" plans and records a
-- trip as a live one would and sends nothing; such an incident ends in its own state, `shadow`, so no audit
-- query can mistake it for one that was cancelled. SQLite cannot change a CHECK constraint in place: the
-- incidents table is rebuilt as SQLite documents it (new table, copy, drop, rename), with foreign keys off
-- around this file (the first line asks the migrator for that) and checked before it commits.
CREATE TABLE incidents_new (
    id            INTEGER PRIMARY KEY,
    scope_venue   TEXT,
    scope_account TEXT,
    scope_symbol  TEXT,
    rule_id       TEXT,
    actor         TEXT,
    reason        TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('running', 'flat', 'incomplete', 'shadow')),
    tripped_at    INTEGER NOT NULL,
    deadline_at   INTEGER,
    ended_at      INTEGER,
    summary       TEXT,
    rearmed_at    INTEGER,
    rearmed_by    TEXT,
    rearm_reason  TEXT,
    rearm_forced  INTEGER NOT NULL DEFAULT 0,
    journal_key   TEXT
) STRICT;
INSERT INTO incidents_new (id, scope_venue, scope_account, scope_symbol, rule_id, actor, reason, state, tripped_at, deadline_at,
                           ended_at, summary, rearmed_at, rearmed_by, rearm_reason, rearm_forced, journal_key)
    SELECT id, scope_venue, scope_account, scope_symbol, rule_id, actor, reason, state, tripped_at, deadline_at,
           ended_at, summary, rearmed_at, rearmed_by, rearm_reason, rearm_forced, journal_key FROM incidents;
DROP TABLE incidents;
ALTER TABLE incidents_new RENAME TO incidents;
CREATE INDEX incidents_latched ON incidents (id) WHERE rearmed_at IS NULL;
