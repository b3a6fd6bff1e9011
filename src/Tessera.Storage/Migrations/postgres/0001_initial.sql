-- Tessera schema v1 (PostgreSQL), the twin of sqlite/0001_initial.sql. Instants are Unix milliseconds
-- (UTC); secrets exist only as SHA-256. Keys that are compared or sorted (ids, folded names) use the
-- "C" collation: byte order, as SQLite compares, whatever locale the database was created with.
CREATE TABLE accounts (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name        TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE license_keys (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    account_id   TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    name         TEXT   NOT NULL,
    key_hash     BYTEA  NOT NULL UNIQUE,
    hint         TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT NULL,
    revoked_at   BIGINT NULL
);
CREATE INDEX ix_license_keys_account ON license_keys (account_id, created_at);

CREATE TABLE workloads (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    name        TEXT   NOT NULL,
    -- lower-cased name: case-insensitive uniqueness and the A→Z keyset order, alike on every database
    name_folded TEXT COLLATE "C" NOT NULL,
    description TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    version     BIGINT NOT NULL,
    CONSTRAINT ux_workloads_name UNIQUE (account_id, name_folded),
    -- target of the tokens' composite foreign key: a token can only point at a workload of its own account
    CONSTRAINT ux_workloads_account_id UNIQUE (account_id, id)
);

CREATE TABLE query_tokens (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    account_id   TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    workload_id  TEXT COLLATE "C" NULL,
    name         TEXT   NOT NULL,
    name_folded  TEXT COLLATE "C" NOT NULL,
    note         TEXT   NOT NULL,
    status       TEXT   NOT NULL CHECK (status IN ('active', 'cancelled')),
    token_hash   BYTEA  NOT NULL,
    hint         TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    last_used_at BIGINT NULL,
    use_count    BIGINT NOT NULL DEFAULT 0,
    version      BIGINT NOT NULL,
    CONSTRAINT fk_query_tokens_workload FOREIGN KEY (account_id, workload_id) REFERENCES workloads (account_id, id)
);
CREATE UNIQUE INDEX ux_query_tokens_hash ON query_tokens (token_hash);
CREATE INDEX ix_query_tokens_created ON query_tokens (account_id, created_at, id);
CREATE INDEX ix_query_tokens_expires ON query_tokens (account_id, expires_at, id);
CREATE INDEX ix_query_tokens_name ON query_tokens (account_id, name_folded, id);
CREATE INDEX ix_query_tokens_last_used ON query_tokens (account_id, last_used_at, id);
CREATE INDEX ix_query_tokens_workload ON query_tokens (account_id, workload_id, status, expires_at);
