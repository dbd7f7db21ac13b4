-- killswitch schema, version 3: an order's origin is not its client id.
-- Venues label how an order was placed (Gate's `text` = `web`, `api`, `apiv4`, `3`, `liquidation`, … for an order
-- without a client-chosen `t-…` id; HTX `source`; Bitget `enterPointSource`). Such a label is shared by every order
-- placed that way, so it is kept here, never in client_order_id (whose unique index it would break).

ALTER TABLE orders ADD COLUMN origin TEXT;
-- What the event said about it (a trading system's clientOrderId that was an origin label lands here).
ALTER TABLE order_events ADD COLUMN origin TEXT;

-- Gate rows adopted before this version may hold an origin label as their client id: move it where it belongs.
-- Only rows that also carry the venue's order id (they stay identified; the others keep what they have).
UPDATE orders SET origin = client_order_id, client_order_id = NULL
WHERE client_order_id IS NOT NULL AND venue_order_id IS NOT NULL
  AND NOT (substr(client_order_id, 1, 2) = 't-' AND length(client_order_id) > 2)
  AND venue_id IN (SELECT id FROM venues WHERE kind IN ('gate-futures', 'gate-spot'));
