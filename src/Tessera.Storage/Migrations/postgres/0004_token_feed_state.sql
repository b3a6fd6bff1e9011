-- The change feed's prune watermark (twin of sqlite/0004_token_feed_state.sql): the highest position ever
-- deleted from token_changes, kept by a trigger on every DELETE (the prune's or anyone's), so a follower can
-- tell that rows it had not read yet are gone and start over instead of trusting a memory that missed them
-- (ADR 0007, amendment "continuity").
CREATE TABLE token_feed_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    pruned_through BIGINT  NOT NULL
);
INSERT INTO token_feed_state (id, pruned_through) VALUES (1, 0);

CREATE FUNCTION tessera_token_changes_pruned() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- An upsert, so the watermark is kept even if its row was removed by hand.
    INSERT INTO token_feed_state (id, pruned_through)
    SELECT 1, MAX(position) FROM gone HAVING MAX(position) IS NOT NULL
    ON CONFLICT (id) DO UPDATE SET pruned_through = GREATEST(token_feed_state.pruned_through, EXCLUDED.pruned_through);
    RETURN NULL;
END
$$;

CREATE TRIGGER tr_token_changes_pruned AFTER DELETE ON token_changes
    REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION tessera_token_changes_pruned();
