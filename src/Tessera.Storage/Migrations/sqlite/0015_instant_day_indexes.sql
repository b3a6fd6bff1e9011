-- A range on one instant sorted by another (issue 23, ADR 0012 "Day by day"; PostgreSQL: migration 0016): createdFrom/createdTo sorted by name,
-- expiry or last use; expiresBefore or state=expired sorted by creation, name or last use. Each index holds the
-- account's tokens by the UTC day (ms / 86,400,000) of the ranged instant, then in the sort's order, then the ranged
-- instant itself, so a page is read day by day in the sort's order (each day's rows from where the cursor stands, at
-- most a page of them) and the days' pages are merged. After the sort's columns each entry holds what the page's
-- filters test but the name (the instants, the status, the workload), so a day's entries that a filter rejects are
-- passed over on the index, without reading their rows: a day of 70,000 tokens of which none matches (a bulk import's
-- tokens share their expiry) took 100 ms read row by row, 8 ms so. The expression is written exactly so in the
-- queries (TokenListDays).
CREATE INDEX ix_query_tokens_created_day_name ON query_tokens (account_id, created_at / 86400000, name_folded, id, created_at, expires_at, status, workload_id);
CREATE INDEX ix_query_tokens_created_day_expires ON query_tokens (account_id, created_at / 86400000, expires_at, id, created_at, status, workload_id);
CREATE INDEX ix_query_tokens_created_day_last_used ON query_tokens (account_id, created_at / 86400000, COALESCE(last_used_at, -1), id, created_at, expires_at, status, workload_id);
CREATE INDEX ix_query_tokens_expires_day_created ON query_tokens (account_id, expires_at / 86400000, created_at, id, expires_at, status, workload_id);
CREATE INDEX ix_query_tokens_expires_day_name ON query_tokens (account_id, expires_at / 86400000, name_folded, id, expires_at, status, workload_id);
CREATE INDEX ix_query_tokens_expires_day_last_used ON query_tokens (account_id, expires_at / 86400000, COALESCE(last_used_at, -1), id, expires_at, status, workload_id);
