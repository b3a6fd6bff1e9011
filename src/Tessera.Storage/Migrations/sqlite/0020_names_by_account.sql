-- The trigram index read one account at a time (issue 23, ADR 0012 "Name search"). FTS5 keeps one index
-- for every account, in rowid order, and its rowid was query_token_names' key, handed out in insertion order: a
-- substring common in other accounts was read through all their matches before this account's were kept (a count of
-- 'user' with five accounts of 100,000 names: 213 ms). Now each account owns a range of keys, 2^40 wide, from its
-- ordinal in query_token_name_ranges; the reads bound the rowid to that range and FTS5 seeks inside each trigram's
-- list to it, as it does for any rowid range. A name's key is the highest key of its account plus one.
-- Only the insert trigger changes; the rename and delete triggers of 0007 stay.
DROP TRIGGER tr_query_token_names_inserted;
-- The names map and the FTS5 table keep their definitions (0007); only their keys change, so both are emptied and refilled.
DELETE FROM query_token_names;
INSERT INTO query_token_trigrams (query_token_trigrams) VALUES ('delete-all');

CREATE TABLE query_token_name_ranges (
    ordinal    INTEGER NOT NULL PRIMARY KEY,
    account_id TEXT    NOT NULL UNIQUE
);

INSERT INTO query_token_name_ranges (account_id) SELECT DISTINCT account_id FROM query_tokens ORDER BY account_id;
INSERT INTO query_token_names (id, token_id, account_id)
    SELECT (r.ordinal << 40) + ROW_NUMBER() OVER (PARTITION BY t.account_id ORDER BY t.created_at, t.id), t.id, t.account_id
    FROM query_tokens t JOIN query_token_name_ranges r ON r.account_id = t.account_id;
INSERT INTO query_token_trigrams (rowid, name_folded)
    SELECT n.id, t.name_folded FROM query_token_names n JOIN query_tokens t ON t.id = n.token_id ORDER BY n.id;

CREATE TRIGGER tr_query_token_names_inserted AFTER INSERT ON query_tokens
BEGIN
    INSERT OR IGNORE INTO query_token_name_ranges (account_id) VALUES (NEW.account_id);
    INSERT INTO query_token_names (id, token_id, account_id)
        SELECT COALESCE((SELECT MAX(n.id) FROM query_token_names n WHERE n.id BETWEEN r.ordinal << 40 AND ((r.ordinal + 1) << 40) - 1),
                        r.ordinal << 40) + 1, NEW.id, NEW.account_id
        FROM query_token_name_ranges r WHERE r.account_id = NEW.account_id;
    INSERT INTO query_token_trigrams (rowid, name_folded)
        VALUES ((SELECT id FROM query_token_names WHERE token_id = NEW.id), NEW.name_folded);
END;
