-- The case facts of stored messages not yet applied to the case views. Each message's row is
-- written in the message's own transaction (so nothing acknowledged is missing from the views
-- for long); the views apply them in order, in larger transactions of their own, and every
-- read or change of the views first applies what is pending (read-your-writes).
-- `meta` holds the case facts as JSON: the subjects' short title and match keys — personal
-- data, deleted as soon as they are applied.
CREATE TABLE case_feed (
    seq       BIGSERIAL PRIMARY KEY,
    direction TEXT NOT NULL,  -- 'incoming' | 'outgoing'
    at        TEXT NOT NULL,  -- RFC 3339: when the message was stored
    meta      TEXT NOT NULL
);
