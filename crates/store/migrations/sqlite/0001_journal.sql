-- The journal: one row per processing operation (Directive 2016/680 Art. 25), hash-chained.
-- Append-only: nothing here is ever updated or deleted by grens.
CREATE TABLE journal (
    seq           INTEGER PRIMARY KEY,
    at            TEXT    NOT NULL,
    operation     TEXT    NOT NULL,
    actor         TEXT    NOT NULL,
    justification TEXT    NOT NULL,
    recipient     TEXT,
    message_id    TEXT,
    case_id       TEXT,
    details       TEXT    NOT NULL,
    prev_hash     TEXT    NOT NULL,
    hash          TEXT    NOT NULL
);
CREATE INDEX journal_case ON journal (case_id);
CREATE INDEX journal_actor ON journal (actor);
