-- killswitch schema, version 5: retention. `killswitch audit archive` moves ended, re-armed incidents and
-- their rows to a separate database file. The append-only tables still refuse every DELETE, except while a
-- row in `archiving` says an archive move is under way (inside that move's own transaction, which removes it
-- again before committing).
CREATE TABLE archiving (started_at INTEGER NOT NULL);

DROP TRIGGER cancel_intents_no_delete;
CREATE TRIGGER cancel_intents_no_delete BEFORE DELETE ON cancel_intents WHEN NOT EXISTS (SELECT 1 FROM archiving)
BEGIN SELECT RAISE(ABORT, 'cancel_intents is append-only'); END;
DROP TRIGGER cancel_responses_no_delete;
CREATE TRIGGER cancel_responses_no_delete BEFORE DELETE ON cancel_responses WHEN NOT EXISTS (SELECT 1 FROM archiving)
BEGIN SELECT RAISE(ABORT, 'cancel_responses is append-only'); END;
DROP TRIGGER cancel_outcomes_no_delete;
CREATE TRIGGER cancel_outcomes_no_delete BEFORE DELETE ON cancel_outcomes WHEN NOT EXISTS (SELECT 1 FROM archiving)
BEGIN SELECT RAISE(ABORT, 'cancel_outcomes is append-only'); END;
DROP TRIGGER audit_events_no_delete;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events WHEN NOT EXISTS (SELECT 1 FROM archiving)
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
