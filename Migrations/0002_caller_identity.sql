-- killswitch schema, version 2: who called, as the kernel says.
-- Every request that changes something records the caller's identity: on the control socket the peer's
-- Unix uid (SO_PEERCRED) and its user name, on loopback TCP the bearer token's name (no uid). A name the
-- request body gives (a trip's `actor`, a re-arm's `operator`) is only a note kept beside it.

-- audit_events.actor already holds the identity's name (or the rule, or "signal"); the uid and the note join it.
ALTER TABLE audit_events ADD COLUMN actor_uid INTEGER;
ALTER TABLE audit_events ADD COLUMN actor_note TEXT;

-- Order events reported by trading systems: which caller sent each one (NULL for the daemon's own rows:
-- cancel answers, listings).
ALTER TABLE order_events ADD COLUMN caller TEXT;
ALTER TABLE order_events ADD COLUMN caller_uid INTEGER;

-- The last caller to heartbeat each source.
ALTER TABLE heartbeats ADD COLUMN last_caller TEXT;
ALTER TABLE heartbeats ADD COLUMN last_caller_uid INTEGER;

-- Who reported each PnL mark.
ALTER TABLE pnl_marks ADD COLUMN caller TEXT;
ALTER TABLE pnl_marks ADD COLUMN caller_uid INTEGER;
