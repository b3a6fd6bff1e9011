-- The token change feed (twin of sqlite/0002_token_changes.sql): triggers append the secret hash of
-- every token whose verification could change, in the same transaction as the change. Positions come
-- from an identity column, so a lower one can commit after a higher one: readers use ChangeFeedCursor,
-- which re-reads from the lowest position it has not seen (ADR 0007).
CREATE TABLE token_changes (
    position   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash BYTEA  NOT NULL,
    changed_at BIGINT NOT NULL
);
CREATE INDEX ix_token_changes_changed_at ON token_changes (changed_at);

CREATE FUNCTION tessera_now_ms() RETURNS BIGINT LANGUAGE sql VOLATILE AS
$$ SELECT (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT $$;

CREATE FUNCTION tessera_token_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO token_changes (token_hash, changed_at) VALUES (OLD.token_hash, tessera_now_ms());
    ELSE
        INSERT INTO token_changes (token_hash, changed_at) VALUES (NEW.token_hash, tessera_now_ms());
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION tessera_workload_renamed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO token_changes (token_hash, changed_at)
    SELECT token_hash, tessera_now_ms() FROM query_tokens WHERE account_id = NEW.account_id AND workload_id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER tr_query_tokens_inserted AFTER INSERT ON query_tokens
    FOR EACH ROW EXECUTE FUNCTION tessera_token_changed();
CREATE TRIGGER tr_query_tokens_updated AFTER UPDATE OF workload_id, name, status, expires_at ON query_tokens
    FOR EACH ROW EXECUTE FUNCTION tessera_token_changed();
CREATE TRIGGER tr_query_tokens_deleted AFTER DELETE ON query_tokens
    FOR EACH ROW EXECUTE FUNCTION tessera_token_changed();
CREATE TRIGGER tr_workloads_renamed AFTER UPDATE OF name ON workloads
    FOR EACH ROW WHEN (NEW.name <> OLD.name) EXECUTE FUNCTION tessera_workload_renamed();
