-- What the officers' views need without parsing every message: the case, the reply link and the
-- kind of each message (derived from the signed envelope when it is stored, never edited).
ALTER TABLE inbox ADD COLUMN case_id TEXT;
ALTER TABLE inbox ADD COLUMN in_reply_to TEXT;
ALTER TABLE inbox ADD COLUMN kind TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN case_id TEXT;
ALTER TABLE outbox ADD COLUMN in_reply_to TEXT;
ALTER TABLE outbox ADD COLUMN kind TEXT NOT NULL DEFAULT '';
CREATE INDEX inbox_case ON inbox (case_id);
CREATE INDEX outbox_case ON outbox (case_id);
CREATE INDEX inbox_reply ON inbox (in_reply_to);
CREATE INDEX outbox_reply ON outbox (in_reply_to);

-- Local accounts (embedded mode): argon2id password hashes (PHC strings), roles as a
-- comma-separated list.
CREATE TABLE users (
    username      TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    party         TEXT NOT NULL,
    unit          TEXT NOT NULL,
    region        TEXT NOT NULL,
    roles         TEXT NOT NULL,
    language      TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- Sessions: only the SHA-256 of the bearer token is kept.
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    username     TEXT NOT NULL REFERENCES users (username),
    expires_ms   BIGINT NOT NULL
);
