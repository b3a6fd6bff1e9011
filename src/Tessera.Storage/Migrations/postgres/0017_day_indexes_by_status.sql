-- The instant-day indexes of 0016 (SQLite: 0016) with the status after the day (issue 23, ADR 0012 "Day by day"). A
-- page that filters on the status (status=…, or a state, each of which fixes it) now seeks that status's entries of each
-- day instead of passing over the others on the index: a day holding 50,000 active tokens that expired at one instant
-- (a bulk import's) cost 8 ms for each cancelled page that read it, and 0.05 ms so. A page without a status filter reads
-- each day once per status and merges them all (TokenListDays). The status is keyed as an expression, `status || ''`,
-- which only a day's read names: tested as the plain column, PostgreSQL's planner proved the partial indexes of cancelled
-- tokens for a day's cancelled part and walked the account's cancelled tokens instead (over a second for a page after a
-- cursor at a million tokens). Same names, so the queries' hints are unchanged.
DROP INDEX ix_query_tokens_created_day_name;
DROP INDEX ix_query_tokens_created_day_expires;
DROP INDEX ix_query_tokens_created_day_last_used;
DROP INDEX ix_query_tokens_expires_day_created;
DROP INDEX ix_query_tokens_expires_day_name;
DROP INDEX ix_query_tokens_expires_day_last_used;
CREATE INDEX ix_query_tokens_created_day_name ON query_tokens (account_id, (created_at / 86400000), (status || ''), name_folded, id, created_at, expires_at, workload_id);
CREATE INDEX ix_query_tokens_created_day_expires ON query_tokens (account_id, (created_at / 86400000), (status || ''), expires_at, id, created_at, workload_id);
CREATE INDEX ix_query_tokens_created_day_last_used ON query_tokens (account_id, (created_at / 86400000), (status || ''), (COALESCE(last_used_at, -1)), id, created_at, expires_at, workload_id);
CREATE INDEX ix_query_tokens_expires_day_created ON query_tokens (account_id, (expires_at / 86400000), (status || ''), created_at, id, expires_at, workload_id);
CREATE INDEX ix_query_tokens_expires_day_name ON query_tokens (account_id, (expires_at / 86400000), (status || ''), name_folded, id, expires_at, workload_id);
CREATE INDEX ix_query_tokens_expires_day_last_used ON query_tokens (account_id, (expires_at / 86400000), (status || ''), (COALESCE(last_used_at, -1)), id, expires_at, workload_id);
