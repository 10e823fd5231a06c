-- Case management (Directive 2023/977 Art. 16): one row per case, kept in the same transaction
-- as the journal entry of each message that changes it, so that every page reads only the rows
-- it shows (through the indexes below), whatever the size of the history.
CREATE TABLE cases (
    case_id      TEXT PRIMARY KEY,
    opened_at    TEXT    NOT NULL,  -- RFC 3339
    opened_ms    INTEGER  NOT NULL,
    updated_ms   INTEGER  NOT NULL,
    opened_by    TEXT    NOT NULL,  -- 'in' (a partner opened it) or 'out' (we did)
    partner      TEXT    NOT NULL,  -- the other party's code
    partner_node TEXT    NOT NULL,
    partner_unit TEXT    NOT NULL,  -- the partner's unit that wrote (duplicate warnings)
    channel      TEXT    NOT NULL,
    unit         TEXT    NOT NULL,  -- our unit the case belongs to
    kind         TEXT    NOT NULL,  -- the kind of the message that opened it
    article      TEXT    NOT NULL,  -- its legal basis
    urgent       INTEGER  NOT NULL,
    title        TEXT    NOT NULL,  -- its subjects, in short (personal data: erased with the case)
    status       TEXT    NOT NULL,  -- new | assigned | waiting_for_partner | waiting_for_us | closed
    assignee     TEXT,
    deadline_ms  INTEGER,            -- our next legal deadline, if we owe something
    deadline_article TEXT,
    sort_key     TEXT    NOT NULL,  -- the list's order: running deadlines first, then by activity
    last_kind    TEXT    NOT NULL,
    closed_ms    INTEGER,
    review_ms    INTEGER,            -- the next retention review (Directive 2016/680 Art. 5)
    erased       INTEGER  NOT NULL DEFAULT 0,
    rectified    TEXT               -- the provider's rectification or withdrawal notice, if any
);
CREATE INDEX cases_order ON cases (sort_key, case_id);
CREATE INDEX cases_status ON cases (status, sort_key, case_id);
CREATE INDEX cases_partner ON cases (partner, sort_key, case_id);
CREATE INDEX cases_assignee ON cases (assignee, sort_key, case_id);
CREATE INDEX cases_kind ON cases (kind, sort_key, case_id);
CREATE INDEX cases_unit ON cases (unit, sort_key, case_id);
CREATE INDEX cases_review ON cases (review_ms);

-- The match keys of every subject of every message of a case (persons by phonetic key, alone and
-- in pairs; plates and documents normalised): the subject search and the cross-check of
-- Art. 16(1)(d). Keys, never the names themselves.
CREATE TABLE case_keys (
    key        TEXT NOT NULL,
    case_id    TEXT NOT NULL,
    label      TEXT NOT NULL,     -- which kind of key (name, name pair, plate, document, word)
    sort_key   TEXT NOT NULL,     -- the case's place in the list, so a search reads one page
    PRIMARY KEY (key, case_id)
);
CREATE INDEX case_keys_case ON case_keys (case_id);
CREATE INDEX case_keys_order ON case_keys (key, sort_key, case_id);

-- How many cases are in each stored status, kept with each change.
CREATE TABLE case_counts (
    status TEXT PRIMARY KEY,
    n      INTEGER NOT NULL
);

-- Directive 2023/977 Art. 18 statistics, counted as the messages are stored.
CREATE TABLE case_stats (
    year   INTEGER NOT NULL,
    metric TEXT    NOT NULL,
    party  TEXT    NOT NULL,
    detail TEXT    NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (year, metric, party, detail)
);

-- Whether this node has answered a received message (a provision, refusal, hit answer, consent,
-- feedback or ANPR decision replying to it): the automatic answers and work queues read the
-- unanswered ones through this index instead of every message of their kind.
ALTER TABLE inbox ADD COLUMN replied INTEGER NOT NULL DEFAULT 0;
UPDATE inbox SET replied = 1 WHERE message_id IN (
    SELECT in_reply_to FROM outbox WHERE in_reply_to IS NOT NULL AND kind IN
    ('provision', 'refusal', 'hit_answer', 'hit_refusal', 'consult_answer', 'consult_refusal',
     'consent_grant', 'consent_denial', 'feedback_answer', 'anpr_decision'));
CREATE INDEX inbox_unreplied ON inbox (kind, replied);
