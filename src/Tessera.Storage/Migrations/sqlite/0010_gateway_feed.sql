-- The gateway feed (API.md §9, ADR 0016; twin of postgres/0010_gateway_feed.sql): each change row also
-- names the token's account, its id and the workload it was in before the change, so an account's
-- gateways can be sent its changes only, a deleted token as {"tokenId", "deleted": true}, and a token
-- that left a workload-bound key's workloads as deleted too. Rows written before this migration keep
-- NULLs: the servers' own follower reads only the hash, and no gateway position can be older than now.
-- SQLite has one writer at a time, so positions already become visible in order; nothing else is needed.
ALTER TABLE token_changes ADD COLUMN account_id TEXT NULL;
ALTER TABLE token_changes ADD COLUMN token_id TEXT NULL;
ALTER TABLE token_changes ADD COLUMN workload_id TEXT NULL;
CREATE INDEX ix_token_changes_account ON token_changes (account_id, position);

DROP TRIGGER tr_query_tokens_inserted;
DROP TRIGGER tr_query_tokens_updated;
DROP TRIGGER tr_query_tokens_deleted;
DROP TRIGGER tr_workloads_renamed;

CREATE TRIGGER tr_query_tokens_inserted AFTER INSERT ON query_tokens
BEGIN
    INSERT INTO token_changes (token_hash, changed_at, account_id, token_id, workload_id)
    VALUES (NEW.token_hash, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), NEW.account_id, NEW.id, NULL);
END;

CREATE TRIGGER tr_query_tokens_updated AFTER UPDATE OF workload_id, name, status, expires_at ON query_tokens
BEGIN
    INSERT INTO token_changes (token_hash, changed_at, account_id, token_id, workload_id)
    VALUES (NEW.token_hash, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), NEW.account_id, NEW.id, OLD.workload_id);
END;

CREATE TRIGGER tr_query_tokens_deleted AFTER DELETE ON query_tokens
BEGIN
    INSERT INTO token_changes (token_hash, changed_at, account_id, token_id, workload_id)
    VALUES (OLD.token_hash, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), OLD.account_id, OLD.id, OLD.workload_id);
END;

CREATE TRIGGER tr_workloads_renamed AFTER UPDATE OF name ON workloads WHEN NEW.name <> OLD.name
BEGIN
    INSERT INTO token_changes (token_hash, changed_at, account_id, token_id, workload_id)
    SELECT token_hash, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), account_id, id, workload_id
    FROM query_tokens WHERE account_id = NEW.account_id AND workload_id = NEW.id;
END;
