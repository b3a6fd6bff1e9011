-- Every token list answers from an index (issue 23, ADR 0012). Account first everywhere: one account's list
-- never walks another's rows.
--
-- Sort by last use: the list orders by COALESCE(last_used_at, -1) (never used = oldest), so the index holds that
-- expression; the plain column could not give the order and the list sorted the whole account.
DROP INDEX ix_query_tokens_last_used;
CREATE INDEX ix_query_tokens_last_used ON query_tokens (account_id, COALESCE(last_used_at, -1), id);

-- One workload's tokens (or the unassigned ones, workload_id IS NULL) in each of the four orders. status and
-- expires_at follow the keys so the derived state is tested inside the index: a workload whose tokens are all
-- cancelled answers state=usable by reading index entries, not a table row per token. These also serve the
-- workload's token counts and unassigning on delete, so the older (account_id, workload_id, status, expires_at)
-- index goes.
DROP INDEX ix_query_tokens_workload;
CREATE INDEX ix_query_tokens_workload_created ON query_tokens (account_id, workload_id, created_at, id, status, expires_at);
CREATE INDEX ix_query_tokens_workload_expires ON query_tokens (account_id, workload_id, expires_at, id, status);
CREATE INDEX ix_query_tokens_workload_name ON query_tokens (account_id, workload_id, name_folded, id, status, expires_at);
CREATE INDEX ix_query_tokens_workload_last_used ON query_tokens (account_id, workload_id, COALESCE(last_used_at, -1), id, status, expires_at);

-- Cancelled tokens (status=cancelled, state=cancelled) in each order: partial, so they cost only what is
-- cancelled, and a list of the few cancelled tokens among a million never walks the active ones.
CREATE INDEX ix_query_tokens_cancelled_created ON query_tokens (account_id, created_at, id) WHERE status = 'cancelled';
CREATE INDEX ix_query_tokens_cancelled_expires ON query_tokens (account_id, expires_at, id) WHERE status = 'cancelled';
CREATE INDEX ix_query_tokens_cancelled_name ON query_tokens (account_id, name_folded, id) WHERE status = 'cancelled';
CREATE INDEX ix_query_tokens_cancelled_last_used ON query_tokens (account_id, COALESCE(last_used_at, -1), id) WHERE status = 'cancelled';

-- Name search (q of 3+ characters): a trigram index of the folded names. FTS5 is contentless (the names stay in
-- query_tokens); its rowid is the integer key of query_token_names, which maps it to the token. That key, not
-- query_tokens' own rowid, because VACUUM may renumber the rowids of a table without an INTEGER PRIMARY KEY.
CREATE TABLE query_token_names (
    id         INTEGER NOT NULL PRIMARY KEY,
    token_id   TEXT    NOT NULL UNIQUE,
    account_id TEXT    NOT NULL
);
CREATE VIRTUAL TABLE query_token_trigrams USING fts5 (name_folded, content = '', contentless_delete = 1,
    tokenize = 'trigram case_sensitive 1');

INSERT INTO query_token_names (token_id, account_id) SELECT id, account_id FROM query_tokens;
INSERT INTO query_token_trigrams (rowid, name_folded)
    SELECT n.id, t.name_folded FROM query_token_names n JOIN query_tokens t ON t.id = n.token_id;

CREATE TRIGGER tr_query_token_names_inserted AFTER INSERT ON query_tokens
BEGIN
    INSERT INTO query_token_names (token_id, account_id) VALUES (NEW.id, NEW.account_id);
    INSERT INTO query_token_trigrams (rowid, name_folded)
        VALUES ((SELECT id FROM query_token_names WHERE token_id = NEW.id), NEW.name_folded);
END;
CREATE TRIGGER tr_query_token_names_renamed AFTER UPDATE OF name_folded ON query_tokens WHEN NEW.name_folded <> OLD.name_folded
BEGIN
    DELETE FROM query_token_trigrams WHERE rowid = (SELECT id FROM query_token_names WHERE token_id = OLD.id);
    INSERT INTO query_token_trigrams (rowid, name_folded)
        VALUES ((SELECT id FROM query_token_names WHERE token_id = OLD.id), NEW.name_folded);
END;
CREATE TRIGGER tr_query_token_names_deleted AFTER DELETE ON query_tokens
BEGIN
    DELETE FROM query_token_trigrams WHERE rowid = (SELECT id FROM query_token_names WHERE token_id = OLD.id);
    DELETE FROM query_token_names WHERE token_id = OLD.id;
END;

-- The audit trail filtered by action, newest first (GET /v1/audit?action=…).
CREATE INDEX ix_audit_entries_action ON audit_entries (account_id, action, occurred_at, id);
