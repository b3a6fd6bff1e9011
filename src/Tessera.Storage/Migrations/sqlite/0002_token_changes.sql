-- The token change feed: every change that can alter a verification (a token created, updated or
-- deleted; its workload renamed or deleted) appends the token's secret hash here, written by triggers
-- so it is in the same transaction as the change whichever code path made it. Every server reads the
-- rows after its position and forgets those tokens. Usage updates (use_count, last_used_at) do not
-- fire: they change nothing a verification decides.
CREATE TABLE token_changes (
    position   INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    token_hash BLOB    NOT NULL,
    changed_at INTEGER NOT NULL
);
CREATE INDEX ix_token_changes_changed_at ON token_changes (changed_at);

CREATE TRIGGER tr_query_tokens_inserted AFTER INSERT ON query_tokens
BEGIN
    INSERT INTO token_changes (token_hash, changed_at)
    VALUES (NEW.token_hash, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER tr_query_tokens_updated AFTER UPDATE OF workload_id, name, status, expires_at ON query_tokens
BEGIN
    INSERT INTO token_changes (token_hash, changed_at)
    VALUES (NEW.token_hash, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER tr_query_tokens_deleted AFTER DELETE ON query_tokens
BEGIN
    INSERT INTO token_changes (token_hash, changed_at)
    VALUES (OLD.token_hash, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER tr_workloads_renamed AFTER UPDATE OF name ON workloads WHEN NEW.name <> OLD.name
BEGIN
    INSERT INTO token_changes (token_hash, changed_at)
    SELECT token_hash, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM query_tokens WHERE account_id = NEW.account_id AND workload_id = NEW.id;
END;
