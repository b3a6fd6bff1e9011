-- The gateway feed (API.md §9, ADR 0016; twin of sqlite/0010_gateway_feed.sql).
-- 1. Each change row also names the token's account, its id and the workload it was in before the change,
--    so an account's gateways get its changes only, and a deleted token (or one that left a workload-bound
--    key's workloads) as {"tokenId", "deleted": true}. Older rows keep NULLs.
-- 2. Positions become visible in order. The token triggers become constraint triggers deferred to COMMIT, and a
--    statement-level trigger takes one transaction-scoped advisory lock before change rows are added: a
--    transaction gets its positions at its commit, after every earlier such transaction committed. A reader that
--    sees position N then sees every position below N that will ever exist, which is what makes "the changes after
--    the snapshot's position" lose nothing. The lock is held only from the deferred triggers to the end of COMMIT
--    (a transaction left open holds nothing); token-changing commits follow one another, nothing else waits.
-- 3. The same change NOTIFYs channel tessera_token_changes with its highest position (delivered at commit,
--    never before), so servers read the feed at once instead of at their next poll.
ALTER TABLE token_changes ADD COLUMN account_id TEXT COLLATE "C" NULL;
ALTER TABLE token_changes ADD COLUMN token_id TEXT COLLATE "C" NULL;
ALTER TABLE token_changes ADD COLUMN workload_id TEXT COLLATE "C" NULL;
CREATE INDEX ix_token_changes_account ON token_changes (account_id, position);

CREATE OR REPLACE FUNCTION tessera_token_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO token_changes (token_hash, changed_at, account_id, token_id, workload_id)
        VALUES (OLD.token_hash, tessera_now_ms(), OLD.account_id, OLD.id, OLD.workload_id);
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO token_changes (token_hash, changed_at, account_id, token_id, workload_id)
        VALUES (NEW.token_hash, tessera_now_ms(), NEW.account_id, NEW.id, OLD.workload_id);
    ELSE
        INSERT INTO token_changes (token_hash, changed_at, account_id, token_id, workload_id)
        VALUES (NEW.token_hash, tessera_now_ms(), NEW.account_id, NEW.id, NULL);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION tessera_workload_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO token_changes (token_hash, changed_at, account_id, token_id, workload_id)
    SELECT token_hash, tessera_now_ms(), account_id, id, workload_id
    FROM query_tokens WHERE account_id = NEW.account_id AND workload_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE FUNCTION tessera_token_changes_ordered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- 0x7465737365726131 ('tessera1'): the one lock that orders the feed's positions by commit.
    PERFORM pg_advisory_xact_lock(8387236820507844913);
    RETURN NULL;
END
$$;

CREATE FUNCTION tessera_token_changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    highest BIGINT;
BEGIN
    SELECT MAX(position) INTO highest FROM added;
    IF highest IS NOT NULL THEN
        PERFORM pg_notify('tessera_token_changes', highest::TEXT);
    END IF;
    RETURN NULL;
END
$$;

DROP TRIGGER tr_query_tokens_inserted ON query_tokens;
DROP TRIGGER tr_query_tokens_updated ON query_tokens;
DROP TRIGGER tr_query_tokens_deleted ON query_tokens;
DROP TRIGGER tr_workloads_renamed ON workloads;
CREATE CONSTRAINT TRIGGER tr_query_tokens_inserted AFTER INSERT ON query_tokens
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tessera_token_changed();
CREATE CONSTRAINT TRIGGER tr_query_tokens_updated AFTER UPDATE OF workload_id, name, status, expires_at ON query_tokens
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tessera_token_changed();
CREATE CONSTRAINT TRIGGER tr_query_tokens_deleted AFTER DELETE ON query_tokens
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION tessera_token_changed();
CREATE CONSTRAINT TRIGGER tr_workloads_renamed AFTER UPDATE OF name ON workloads
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.name <> OLD.name) EXECUTE FUNCTION tessera_workload_renamed();

CREATE TRIGGER tr_token_changes_ordered BEFORE INSERT ON token_changes
    FOR EACH STATEMENT EXECUTE FUNCTION tessera_token_changes_ordered();
CREATE TRIGGER tr_token_changes_notify AFTER INSERT ON token_changes
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION tessera_token_changes_notify();
