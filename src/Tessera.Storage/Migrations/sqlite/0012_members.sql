-- People, not keys (issue 22, ADR 0018). A member is a person of one account who signs in to the console. email is
-- stored lower-cased and unique on the server: one person, one console identity. role is owner, admin, developer or
-- viewer (a fixed set of scopes); workload_ids binds the member like a key (space separated, NULL for every workload).
-- password_hash is ASP.NET Core Identity's PasswordHasher output (salted PBKDF2), NULL until a password is set.
CREATE TABLE members (
    id              TEXT    NOT NULL PRIMARY KEY,
    account_id      TEXT    NOT NULL REFERENCES accounts (id),
    email           TEXT    NOT NULL UNIQUE,
    display_name    TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    workload_ids    TEXT    NULL,
    password_hash   TEXT    NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    -- Two-step sign-in: the TOTP secret sealed with the server's Data Protection keys (it must be read back to check
    -- codes, so it cannot be a hash), the last time step accepted (a code works once), and the SHA-256 of each unused
    -- recovery code (hex, space separated).
    totp_secret     TEXT   NULL,
    totp_last_step  INTEGER NOT NULL DEFAULT 0,
    recovery_codes  TEXT   NULL,
    last_sign_in_at INTEGER NULL
);
CREATE INDEX ix_members_account ON members (account_id, created_at, id);

-- Invitations: a one-time secret (tsi_…) of which only the SHA-256 is kept, valid 7 days, spent when used.
CREATE TABLE invitations (
    id           TEXT    NOT NULL PRIMARY KEY,
    account_id   TEXT    NOT NULL REFERENCES accounts (id),
    email        TEXT    NOT NULL,
    display_name TEXT    NOT NULL,
    role         TEXT    NOT NULL,
    workload_ids TEXT    NULL,
    secret_hash  BLOB    NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    accepted_at  INTEGER NULL,
    member_id    TEXT    NULL
);
CREATE INDEX ix_invitations_account ON invitations (account_id, created_at, id);

-- The audit trail names a member as a person: their email as it was, and the console session of the change.
ALTER TABLE audit_entries ADD COLUMN actor_email TEXT NULL;
ALTER TABLE audit_entries ADD COLUMN session_id TEXT NULL;
