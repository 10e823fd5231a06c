-- The transactional outbox: a message is queued in the same transaction as its journal entry,
-- and stays until the partner's signed receipt arrives (store-and-forward while it is down).
CREATE TABLE outbox (
    message_id      TEXT PRIMARY KEY,
    to_node         TEXT    NOT NULL,
    bytes           TEXT    NOT NULL,
    signature       TEXT    NOT NULL,
    sha256          TEXT    NOT NULL,
    queued_at       TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending', -- pending | delivered | refused
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,                   -- Unix milliseconds
    last_error      TEXT,
    settled_at      TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_ms);
