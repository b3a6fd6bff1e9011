-- People, not keys (twin of sqlite/0012_members.sql; issue 22, ADR 0018). email lower-cased and unique on the
-- server; role a fixed set of scopes; workload_ids space separated (NULL: every workload); password_hash from
-- ASP.NET Core Identity's PasswordHasher, NULL until set.
CREATE TABLE members (
    id              TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    account_id      TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    email           TEXT COLLATE "C" NOT NULL UNIQUE,
    display_name    TEXT   NOT NULL,
    role            TEXT   NOT NULL,
    workload_ids    TEXT   NULL,
    password_hash   TEXT   NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    -- Two-step sign-in: the TOTP secret sealed with the server's Data Protection keys (it must be read back to check
    -- codes, so it cannot be a hash), the last time step accepted (a code works once), and the SHA-256 of each unused
    -- recovery code (hex, space separated).
    totp_secret     TEXT   NULL,
    totp_last_step  BIGINT NOT NULL DEFAULT 0,
    recovery_codes  TEXT   NULL,
    last_sign_in_at BIGINT NULL
);
CREATE INDEX ix_members_account ON members (account_id, created_at, id);

-- Invitations: a one-time secret (tsi_…) of which only the SHA-256 is kept, valid 7 days, spent when used.
CREATE TABLE invitations (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    account_id   TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    email        TEXT COLLATE "C" NOT NULL,
    display_name TEXT   NOT NULL,
    role         TEXT   NOT NULL,
    workload_ids TEXT   NULL,
    secret_hash  BYTEA  NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    accepted_at  BIGINT NULL,
    member_id    TEXT COLLATE "C" NULL
);
CREATE INDEX ix_invitations_account ON invitations (account_id, created_at, id);

-- The audit trail names a member as a person: their email as it was, and the console session of the change.
ALTER TABLE audit_entries ADD COLUMN actor_email TEXT NULL;
ALTER TABLE audit_entries ADD COLUMN session_id TEXT NULL;
