-- Duties that one replica of a node runs at a time (answering hit/no-hit queries, raising the
-- release alerts, publishing checkpoints): whoever holds the lease, until it expires.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    -- Milliseconds since 1970 (integers compare exactly on both backends).
    expires_ms BIGINT NOT NULL
);
