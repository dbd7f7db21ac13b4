-- killswitch schema, version 7: the scope-aware kill. Where a venue's cancel-all took an entry's orders and
-- its answer does not name them, each order gets its own outcome, `closedAfterCancelAll`, once a listing made
-- after the cancel-all no longer shows it (it may have filled instead: the venue does not say). SQLite cannot
-- change a CHECK constraint in place: cancel_outcomes is rebuilt as SQLite documents it (new table, copy,
-- drop, rename), with its index and append-only triggers (the delete one as 0005 left it). No table references it, so foreign keys stay on.
CREATE TABLE cancel_outcomes_new (
    id          INTEGER PRIMARY KEY,
    intent_id   INTEGER REFERENCES cancel_intents(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    order_id    INTEGER NOT NULL REFERENCES orders(id),
    attempt     INTEGER NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('cancelled', 'alreadyClosed', 'closedAfterCancelAll', 'pending', 'rateLimited', 'retryable', 'rejected', 'unknown')),
    venue_code  TEXT,
    message     TEXT,
    recorded_at INTEGER NOT NULL
) STRICT;
INSERT INTO cancel_outcomes_new (id, intent_id, incident_id, order_id, attempt, outcome, venue_code, message, recorded_at)
    SELECT id, intent_id, incident_id, order_id, attempt, outcome, venue_code, message, recorded_at FROM cancel_outcomes;
DROP TABLE cancel_outcomes;
ALTER TABLE cancel_outcomes_new RENAME TO cancel_outcomes;
CREATE INDEX cancel_outcomes_by_incident ON cancel_outcomes (incident_id, order_id, id);
CREATE TRIGGER cancel_outcomes_no_update BEFORE UPDATE ON cancel_outcomes
BEGIN SELECT RAISE(ABORT, 'cancel_outcomes is append-only'); END;
-- As 0005 made it: a DELETE only inside an archive move (a row in `archiving`).
CREATE TRIGGER cancel_outcomes_no_delete BEFORE DELETE ON cancel_outcomes WHEN NOT EXISTS (SELECT 1 FROM archiving)
BEGIN SELECT RAISE(ABORT, 'cancel_outcomes is append-only'); END;
