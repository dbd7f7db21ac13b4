-- killswitch schema, version 1.
-- Times are integer milliseconds since the Unix epoch (UTC). Amounts are canonical decimal text, never REAL.
-- Append-only tables (order_events, cancel_intents, cancel_responses, cancel_outcomes, audit_events) are
-- guarded by triggers below; mutable state (orders, incidents) is derivable from them.

-- One row per configured venue account (a [[venues]] entry: one set of credentials).
CREATE TABLE venues (
    id            TEXT PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('gate-futures', 'gate-spot', 'htx-spot', 'bitget-mix', 'binance-coinm')),
    account       TEXT NOT NULL,
    base_url      TEXT NOT NULL,
    settle        TEXT,
    product_type  TEXT,
    margin_coin   TEXT,
    account_id    TEXT,
    gate_account  TEXT,
    first_seen_at INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
) STRICT;

-- Accounts as the venues know them (one per venue entry today; kept apart so several keys of one
-- exchange account can be told together later).
CREATE TABLE accounts (
    venue_id TEXT NOT NULL REFERENCES venues(id),
    account  TEXT NOT NULL,
    PRIMARY KEY (venue_id, account)
) STRICT;

-- Contract specs per venue and symbol, for notional (multiplier; inverse = COIN-M style fixed USD contracts).
CREATE TABLE contracts (
    venue_id   TEXT NOT NULL REFERENCES venues(id),
    symbol     TEXT NOT NULL,
    multiplier TEXT NOT NULL,
    inverse    INTEGER NOT NULL CHECK (inverse IN (0, 1)),
    PRIMARY KEY (venue_id, symbol)
) STRICT;

-- Current state of each order: derivable by replaying order_events.
CREATE TABLE orders (
    id                  INTEGER PRIMARY KEY,
    venue_id            TEXT NOT NULL REFERENCES venues(id),
    account             TEXT NOT NULL,
    symbol              TEXT NOT NULL,
    venue_order_id      TEXT,
    client_order_id     TEXT,
    side                TEXT CHECK (side IN ('buy', 'sell')),
    price               TEXT,
    quantity            TEXT,
    filled_quantity     TEXT NOT NULL DEFAULT '0',
    status              TEXT NOT NULL CHECK (status IN ('new', 'acknowledged', 'partiallyFilled', 'filled', 'cancelled', 'rejected', 'expired')),
    settle              TEXT,
    product_type        TEXT,
    margin_coin         TEXT,
    contract_multiplier TEXT,
    -- Set when a client-id-only row was joined into the row that carries the venue order id.
    merged_into         INTEGER REFERENCES orders(id),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    CHECK (venue_order_id IS NOT NULL OR client_order_id IS NOT NULL OR merged_into IS NOT NULL)
) STRICT;
CREATE UNIQUE INDEX orders_by_venue_order_id ON orders (venue_id, account, venue_order_id) WHERE venue_order_id IS NOT NULL;
CREATE UNIQUE INDEX orders_by_client_order_id ON orders (venue_id, account, client_order_id) WHERE client_order_id IS NOT NULL;
CREATE INDEX orders_open ON orders (venue_id, account, symbol)
    WHERE status IN ('new', 'acknowledged', 'partiallyFilled') AND merged_into IS NULL;

-- Every order event as received (append-only). source: 'client' (trading systems), 'venue' (reconciliation
-- and cancel answers), 'sync' (a final listing found an order the tracker never knew).
CREATE TABLE order_events (
    seq             INTEGER PRIMARY KEY,
    event_id        TEXT NOT NULL UNIQUE,
    order_id        INTEGER NOT NULL REFERENCES orders(id),
    source          TEXT NOT NULL DEFAULT 'client',
    venue_id        TEXT NOT NULL,
    account         TEXT NOT NULL,
    symbol          TEXT NOT NULL,
    venue_order_id  TEXT,
    client_order_id TEXT,
    status          TEXT NOT NULL,
    side            TEXT,
    price           TEXT,
    quantity        TEXT,
    filled_quantity TEXT,
    event_time      INTEGER,
    received_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX order_events_by_order ON order_events (order_id, seq);
CREATE INDEX order_events_by_received ON order_events (received_at);

-- Incidents: one per trip. Current state, derivable from audit_events of kinds trip / incident-end / rearm.
CREATE TABLE incidents (
    id            INTEGER PRIMARY KEY,
    scope_venue   TEXT,
    scope_account TEXT,
    scope_symbol  TEXT,
    rule_id       TEXT,
    actor         TEXT,
    reason        TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('running', 'flat', 'incomplete')),
    tripped_at    INTEGER NOT NULL,
    deadline_at   INTEGER,
    ended_at      INTEGER,
    summary       TEXT,
    rearmed_at    INTEGER,
    rearmed_by    TEXT,
    rearm_reason  TEXT,
    rearm_forced  INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX incidents_latched ON incidents (id) WHERE rearmed_at IS NULL;

-- One row per request, committed before the request is sent (append-only).
-- kind: 'batch-cancel' | 'cancel-all' | 'list-open'. order_ids: JSON array of orders.id in the request.
CREATE TABLE cancel_intents (
    id            INTEGER PRIMARY KEY,
    incident_id   INTEGER NOT NULL REFERENCES incidents(id),
    attempt       INTEGER NOT NULL,
    venue_id      TEXT NOT NULL,
    account       TEXT NOT NULL,
    symbol        TEXT,
    kind          TEXT NOT NULL,
    order_ids     TEXT NOT NULL,
    wire_ids      TEXT NOT NULL,
    sent_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX cancel_intents_by_incident ON cancel_intents (incident_id, id);

-- One row per answer (or per failure to get one), linked to its intent (append-only).
CREATE TABLE cancel_responses (
    id              INTEGER PRIMARY KEY,
    intent_id       INTEGER NOT NULL UNIQUE REFERENCES cancel_intents(id),
    answered_at     INTEGER NOT NULL,
    http_status     INTEGER,
    venue_code      TEXT,
    latency_us      INTEGER NOT NULL,
    transport_error TEXT,
    raw_body        TEXT NOT NULL
) STRICT;

-- One row per order per attempt (append-only).
CREATE TABLE cancel_outcomes (
    id          INTEGER PRIMARY KEY,
    intent_id   INTEGER REFERENCES cancel_intents(id),
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    order_id    INTEGER NOT NULL REFERENCES orders(id),
    attempt     INTEGER NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('cancelled', 'alreadyClosed', 'pending', 'rateLimited', 'retryable', 'rejected', 'unknown')),
    venue_code  TEXT,
    message     TEXT,
    recorded_at INTEGER NOT NULL
) STRICT;
CREATE INDEX cancel_outcomes_by_incident ON cancel_outcomes (incident_id, order_id, id);

-- Last heartbeat per source (the daemon's monotonic clock decides deadlines; this is for audit and status).
CREATE TABLE heartbeats (
    source        TEXT PRIMARY KEY,
    last_at       INTEGER NOT NULL,
    count         INTEGER NOT NULL
) STRICT;

-- PnL marks as received.
CREATE TABLE pnl_marks (
    id             INTEGER PRIMARY KEY,
    venue_id       TEXT NOT NULL REFERENCES venues(id),
    mark_time      INTEGER NOT NULL,
    currency       TEXT NOT NULL,
    realized_today TEXT NOT NULL,
    unrealized     TEXT NOT NULL,
    equity         TEXT NOT NULL,
    received_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX pnl_marks_by_venue ON pnl_marks (venue_id, mark_time);

-- Everything an operator or rule did, and every incident transition (append-only).
CREATE TABLE audit_events (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    incident_id INTEGER REFERENCES incidents(id),
    actor       TEXT,
    detail      TEXT NOT NULL DEFAULT '{}'
) STRICT;
CREATE INDEX audit_events_by_incident ON audit_events (incident_id, id);

CREATE TRIGGER order_events_no_update BEFORE UPDATE ON order_events
BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
CREATE TRIGGER order_events_no_delete BEFORE DELETE ON order_events
BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
CREATE TRIGGER cancel_intents_no_update BEFORE UPDATE ON cancel_intents
BEGIN SELECT RAISE(ABORT, 'cancel_intents is append-only'); END;
CREATE TRIGGER cancel_intents_no_delete BEFORE DELETE ON cancel_intents
BEGIN SELECT RAISE(ABORT, 'cancel_intents is append-only'); END;
CREATE TRIGGER cancel_responses_no_update BEFORE UPDATE ON cancel_responses
BEGIN SELECT RAISE(ABORT, 'cancel_responses is append-only'); END;
CREATE TRIGGER cancel_responses_no_delete BEFORE DELETE ON cancel_responses
BEGIN SELECT RAISE(ABORT, 'cancel_responses is append-only'); END;
CREATE TRIGGER cancel_outcomes_no_update BEFORE UPDATE ON cancel_outcomes
BEGIN SELECT RAISE(ABORT, 'cancel_outcomes is append-only'); END;
CREATE TRIGGER cancel_outcomes_no_delete BEFORE DELETE ON cancel_outcomes
BEGIN SELECT RAISE(ABORT, 'cancel_outcomes is append-only'); END;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
