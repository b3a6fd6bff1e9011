-- Every token list answers from an index (issue 23, ADR 0012). Account first in every B-tree: one account's list
-- never walks another's rows.
--
-- Sort by last use: the list orders by COALESCE(last_used_at, -1) (never used = oldest), so the index holds that
-- expression; the plain column could not give the order and the list sorted the whole account.
DROP INDEX ix_query_tokens_last_used;
CREATE INDEX ix_query_tokens_last_used ON query_tokens (account_id, (COALESCE(last_used_at, -1)), id);

-- One workload's tokens (or the unassigned ones, workload_id IS NULL) in each of the four orders. status and
-- expires_at follow the keys so the derived state is tested inside the index (index conditions, no heap visit):
-- a workload whose tokens are all cancelled answers state=usable without reading its rows. These also serve the
-- workload's token counts and unassigning on delete, so the older (account_id, workload_id, status, expires_at)
-- index goes.
DROP INDEX ix_query_tokens_workload;
CREATE INDEX ix_query_tokens_workload_created ON query_tokens (account_id, workload_id, created_at, id, status, expires_at);
CREATE INDEX ix_query_tokens_workload_expires ON query_tokens (account_id, workload_id, expires_at, id, status);
CREATE INDEX ix_query_tokens_workload_name ON query_tokens (account_id, workload_id, name_folded, id, status, expires_at);
CREATE INDEX ix_query_tokens_workload_last_used ON query_tokens (account_id, workload_id, (COALESCE(last_used_at, -1)), id, status, expires_at);

-- Cancelled tokens (status=cancelled, state=cancelled) in each order: partial, so they cost only what is
-- cancelled, and a list of the few cancelled tokens among a million never walks the active ones.
CREATE INDEX ix_query_tokens_cancelled_created ON query_tokens (account_id, created_at, id) WHERE status = 'cancelled';
CREATE INDEX ix_query_tokens_cancelled_expires ON query_tokens (account_id, expires_at, id) WHERE status = 'cancelled';
CREATE INDEX ix_query_tokens_cancelled_name ON query_tokens (account_id, name_folded, id) WHERE status = 'cancelled';
CREATE INDEX ix_query_tokens_cancelled_last_used ON query_tokens (account_id, (COALESCE(last_used_at, -1)), id) WHERE status = 'cancelled';

-- Name search (q of 3+ characters): a trigram GIN index of the folded names (pg_trgm ships with the server;
-- it is a trusted extension, so a database owner may create it). Not account first: a GIN over (account_id, name)
-- would read the account's whole posting list on every search; the account is tested on the few rows found.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX ix_query_tokens_name_trigrams ON query_tokens USING gin (name_folded gin_trgm_ops);

-- The audit trail filtered by action, newest first (GET /v1/audit?action=…).
CREATE INDEX ix_audit_entries_action ON audit_entries (account_id, action, occurred_at, id);
