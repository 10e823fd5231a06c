-- Each case's match keys as one list, so that the case's key rows are reached by their primary
-- key (key, sort_key, case_id) — when the case moves in the list, is erased, or is looked up for
-- related cases — and `case_keys` needs no index by case: each stored message wrote its dozens
-- of keys into that second B-tree too (issue 16: a quarter of the key inserts' time).
CREATE TABLE case_key_lists (
    case_id TEXT PRIMARY KEY NOT NULL,
    keys    TEXT NOT NULL          -- JSON: [[key, label], …]
);
INSERT INTO case_key_lists (case_id, keys)
    SELECT case_id, json_group_array(json_array(key, label)) FROM case_keys GROUP BY case_id;
DROP INDEX case_keys_case;
