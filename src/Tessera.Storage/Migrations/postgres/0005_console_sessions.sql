-- Console sessions signed out before their absolute end (twin of sqlite/0005_console_sessions.sql): every
-- server refuses a session named here. session_id is the public id (ses_…), never the cookie; a row is
-- needed only until expires_at, the session's absolute end, and sign-outs prune such rows in bounded batches.
CREATE TABLE revoked_console_sessions (
    session_id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    account_id TEXT COLLATE "C" NOT NULL,
    revoked_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX ix_revoked_console_sessions_expires ON revoked_console_sessions (expires_at);
