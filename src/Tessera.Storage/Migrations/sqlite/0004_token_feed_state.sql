-- The change feed's prune watermark: the highest position ever deleted from token_changes, kept by a
-- trigger on every DELETE (the prune's or anyone's), so a follower can tell that rows it had not read yet
-- are gone and start over instead of trusting a memory that missed them (ADR 0007, amendment "continuity").
CREATE TABLE token_feed_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    pruned_through INTEGER NOT NULL
);
INSERT INTO token_feed_state (id, pruned_through) VALUES (1, 0);

CREATE TRIGGER tr_token_changes_pruned AFTER DELETE ON token_changes
BEGIN
    -- An upsert, so the watermark is kept even if its row was removed by hand.
    INSERT INTO token_feed_state (id, pruned_through) VALUES (1, OLD.position)
    ON CONFLICT (id) DO UPDATE SET pruned_through = MAX(pruned_through, excluded.pruned_through);
END;
