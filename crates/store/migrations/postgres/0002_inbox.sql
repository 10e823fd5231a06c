-- The idempotent inbox: every verified incoming message, once, by id, with the exact signed bytes.
CREATE TABLE inbox (
    message_id  TEXT PRIMARY KEY,
    from_node   TEXT NOT NULL,
    received_at TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    bytes       TEXT NOT NULL,
    signature   TEXT NOT NULL,
    journal_seq BIGINT NOT NULL
);
