-- Usage over time and bulk import (twin of sqlite/0011_usage_and_imports.sql; issue 17, ADR 0017).
--
-- Hourly buckets, written only by the usage flush (one INSERT … ON CONFLICT per batch, beside its UPDATE of the
-- tokens' counters), never on the request path. A bucket remembers the account and the workload the token was in
-- when the uses were flushed; no foreign key to the token, so a deleted token's uses still count in its workload's
-- and the account's totals. workload_id is '' for an unassigned token so it can be part of the key.
CREATE TABLE usage_hours (
    account_id  TEXT   NOT NULL,
    token_id    TEXT   NOT NULL,
    workload_id TEXT   NOT NULL,
    hour_start  BIGINT NOT NULL,
    uses        BIGINT NOT NULL,
    PRIMARY KEY (account_id, token_id, hour_start, workload_id)
);
CREATE INDEX ix_usage_hours_account ON usage_hours (account_id, hour_start);
CREATE INDEX ix_usage_hours_workload ON usage_hours (account_id, workload_id, hour_start);
CREATE INDEX ix_usage_hours_hour ON usage_hours (hour_start);

CREATE TABLE token_imports (
    account_id TEXT   NOT NULL REFERENCES accounts (id),
    idem_key   TEXT   NOT NULL,
    id         TEXT   NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    row_count  INTEGER NOT NULL,
    PRIMARY KEY (account_id, idem_key)
);

CREATE TABLE token_import_rows (
    import_id TEXT    NOT NULL,
    row_no    INTEGER NOT NULL,
    token_id  TEXT    NOT NULL,
    PRIMARY KEY (import_id, row_no)
);
