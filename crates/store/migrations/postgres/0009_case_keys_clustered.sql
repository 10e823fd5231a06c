-- The match keys' primary key in the order a search reads them, (key, sort_key, case_id),
-- replacing both (key, case_id) and the order index: one index fewer for each stored message's
-- dozen keys. A case's keys always share its sort_key (it moves with the case), so the new key
-- is as unique as the old one.
ALTER TABLE case_keys DROP CONSTRAINT case_keys_pkey;
DROP INDEX case_keys_order;
ALTER TABLE case_keys ADD PRIMARY KEY (key, sort_key, case_id);
