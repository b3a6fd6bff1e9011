-- A workload's cancelled tokens (SQLite: 0018; issue 23, ADR 0012 "A workload's cancelled tokens"). A page of one
-- workload's, or of the unassigned tokens', cancelled tokens walked that workload's index in the sort's order, testing
-- the status on each entry: the 50,000 unassigned tokens of an account with none of them cancelled took 9-15 ms to
-- prove the page empty at a million tokens. The store counts them through this index and, when they are few, reads and
-- sorts them (TokenListNarrowing.CancelledOfWorkload). Partial: a token enters it when it is cancelled, not when it is
-- created, so the bulk import and every creation pay nothing for it.
CREATE INDEX ix_query_tokens_workload_cancelled ON query_tokens (account_id, workload_id, id) WHERE status = 'cancelled';
