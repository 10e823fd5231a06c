-- What a node's administrators keep besides accounts: implementing agreements (Art. 62(2)) and
-- contact-point directory entries, one JSON document per (kind, key). Every change is also
-- journaled; this table holds the current state only.
CREATE TABLE registry (
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);

-- The audit viewer filters the journal by period.
CREATE INDEX journal_at ON journal (at);
