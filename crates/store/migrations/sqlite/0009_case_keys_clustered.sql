-- The match keys clustered in the order a search reads them: one B-tree keyed (key, sort_key,
-- case_id) instead of a table, its primary key and an order index — half the B-trees each
-- stored message's dozen keys are written to. A case's keys always share its sort_key (it
-- moves with the case), so the primary key is as unique as (key, case_id) was.
CREATE TABLE case_keys_clustered (
    key      TEXT NOT NULL,
    sort_key TEXT NOT NULL,   -- the case's place in the list, so a search reads one page
    case_id  TEXT NOT NULL,
    label    TEXT NOT NULL,   -- which kind of key (name, name pair, plate, document, word)
    PRIMARY KEY (key, sort_key, case_id)
) WITHOUT ROWID;
INSERT INTO case_keys_clustered (key, sort_key, case_id, label)
    SELECT key, sort_key, case_id, label FROM case_keys;
DROP TABLE case_keys;
ALTER TABLE case_keys_clustered RENAME TO case_keys;
CREATE INDEX case_keys_case ON case_keys (case_id);
