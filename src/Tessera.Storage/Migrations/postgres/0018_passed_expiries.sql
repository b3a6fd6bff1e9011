-- The passed expiries (SQLite: 0017; issue 23, ADR 0012 "The passed expiries"): the expiry-day indexes of 0017 hold an active
-- token whose expiry the expiry marker has seen pass apart from the active ones, so a usable or unassigned page seeks the
-- live part of each expiry day instead of passing over the expired part on the index (a bulk import's 50,000 tokens that
-- expired at one instant made every such page over today's expiry day cost 10-26 ms at a million tokens). passed_expiry
-- is the expiry the marker saw pass; the key holds the token as expired only while it still equals expires_at, so a
-- renewal (or any change of the expiry) lists the token as active again without writing the mark. Only the marker
-- (PassedExpiries) writes it; the token feed's triggers name their columns and do not fire for it. The creation-day
-- indexes keep the status alone: they spread such a pile over its creation days, and there the mark would leave the
-- active part of a day without a match for an expired page (a walk of the day). Same names, so the hints are unchanged.
ALTER TABLE query_tokens ADD COLUMN passed_expiry BIGINT;
DROP INDEX ix_query_tokens_expires_day_created;
DROP INDEX ix_query_tokens_expires_day_name;
DROP INDEX ix_query_tokens_expires_day_last_used;
CREATE INDEX ix_query_tokens_expires_day_created ON query_tokens (account_id, (expires_at / 86400000), (CASE WHEN status = 'active' AND passed_expiry = expires_at THEN 'expired' ELSE status END), created_at, id, expires_at, workload_id);
CREATE INDEX ix_query_tokens_expires_day_name ON query_tokens (account_id, (expires_at / 86400000), (CASE WHEN status = 'active' AND passed_expiry = expires_at THEN 'expired' ELSE status END), name_folded, id, expires_at, workload_id);
CREATE INDEX ix_query_tokens_expires_day_last_used ON query_tokens (account_id, (expires_at / 86400000), (CASE WHEN status = 'active' AND passed_expiry = expires_at THEN 'expired' ELSE status END), (COALESCE(last_used_at, -1)), id, expires_at, workload_id);
