-- Usage over time and bulk import (issue 17, ADR 0017).
--
-- Hourly buckets, written only by the usage flush (one INSERT … ON CONFLICT per batch, beside its UPDATE of the
-- tokens' counters), never on the request path. A bucket remembers the account and the workload the token was in
-- when the uses were flushed, so a workload's history stays its own after a token is moved or deleted. No foreign
-- key to the token: a deleted token's uses still count in its workload's and the account's totals. workload_id is
-- '' for an unassigned token so it can be part of the key. hour_start is Unix milliseconds (UTC) of the hour.
CREATE TABLE usage_hours (
    account_id  TEXT    NOT NULL,
    token_id    TEXT    NOT NULL,
    workload_id TEXT    NOT NULL,
    hour_start  INTEGER NOT NULL,
    uses        INTEGER NOT NULL,
    PRIMARY KEY (account_id, token_id, hour_start, workload_id)
) WITHOUT ROWID;
CREATE INDEX ix_usage_hours_account ON usage_hours (account_id, hour_start);
CREATE INDEX ix_usage_hours_workload ON usage_hours (account_id, workload_id, hour_start);
-- The retention prune deletes the oldest hours of every account, a bounded batch at a time.
CREATE INDEX ix_usage_hours_hour ON usage_hours (hour_start);

-- One row per Idempotency-Key of POST /v1/tokens/import, written in the transaction of the import's first batch
-- (a concurrent second request with the same key fails its primary key and answers 409). Never a secret.
CREATE TABLE token_imports (
    account_id TEXT    NOT NULL REFERENCES accounts (id),
    idem_key   TEXT    NOT NULL,
    id         TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    row_count  INTEGER NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);

-- Which token each committed row created: the replay's answer (ids, never secrets). Whole batches only: a row is
-- written in the transaction that creates its token.
CREATE TABLE token_import_rows (
    import_id TEXT    NOT NULL,
    row_no    INTEGER NOT NULL,
    token_id  TEXT    NOT NULL,
    PRIMARY KEY (import_id, row_no)
) WITHOUT ROWID;
